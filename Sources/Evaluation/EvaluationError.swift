/// A problem with an evaluation's input: the data set folder, an image name, features or options.
///
/// `description` is what the user reads: it names the file or folder and says what to do.
public struct EvaluationError: Error, CustomStringConvertible, Sendable, Equatable {
    /// What went wrong, with the data needed to say so.
    public enum Code: Sendable, Equatable {
        /// A split folder (`query/`, `bounding_box_test/`) does not exist.
        case missingFolder(path: String)
        /// A split folder holds no image.
        case emptyFolder(path: String)
        /// An image name matches neither the Market-1501 nor the DukeMTMC-reID pattern.
        case malformedImageName(path: String)
        /// Two images of one data set follow different naming schemes.
        case mixedNamingSchemes(path: String, expected: String)
        /// Features and labels disagree in count or dimension.
        case shapeMismatch(String)
        /// A feature cache file cannot be read.
        case unreadableCache(path: String, reason: String)
    }

    /// What went wrong.
    public var code: Code

    /// Wraps `code`.
    public init(_ code: Code) { self.code = code }

    public var description: String {
        switch code {
        case .missingFolder(let path):
            return "\(path): folder not found. A Market-1501 or DukeMTMC-reID data set folder holds "
                + "`query/` and `bounding_box_test/`; pass that folder."
        case .emptyFolder(let path):
            return "\(path): no .jpg image in this folder. Put the split's images there "
                + "(Market-1501: PPPP_cCsS_FFFFFF_NN.jpg, DukeMTMC-reID: PPPP_cC_fFFFFFFF.jpg)."
        case .malformedImageName(let path):
            return "\(path): the name does not match the Market-1501 pattern "
                + "\(ImageNameScheme.market1501.pattern) (e.g. 0002_c1s1_000451_03.jpg) nor the "
                + "DukeMTMC-reID pattern \(ImageNameScheme.dukeMTMCreID.pattern) (e.g. 0001_c2_f0046182.jpg); "
                + "rename or remove the file."
        case .mixedNamingSchemes(let path, let expected):
            return "\(path): the name follows a different scheme from the data set's other images "
                + "(\(expected)); keep one data set per folder."
        case .shapeMismatch(let what):
            return "features and labels disagree: \(what)"
        case .unreadableCache(let path, let reason):
            return "\(path): cannot read the feature cache (\(reason)); delete it and run again."
        }
    }
}
