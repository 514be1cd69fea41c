/// Why a model could not be built or run, or an array file not read: names the file (when there is
/// one), the size or box, and what to do.
///
/// Missing and mis-shaped tensors are ``WeightsError``'s (`missingTensor`, `shapeMismatch`), whatever
/// the ``TensorSource``: one error, one message, for one mistake.
public struct ModelError: Error, CustomStringConvertible, Equatable, Sendable {
    /// What went wrong, with the details a caller may match on.
    public enum Kind: Sendable, Equatable {
        /// The input size cannot go through the network and its pooling.
        case badInputSize(height: Int, width: Int, reason: String)
        /// The image data handed to `embed` does not match the batch.
        case badBatch(reason: String)
        /// A crop box lies entirely outside its image.
        case boxOutsideImage(x: Double, y: Double, width: Double, height: Double, imageWidth: Int, imageHeight: Int)
        /// A `.npy` array file is not one Panoptes reads (float32, C order), or is damaged.
        case badArrayFile(detail: String)
    }

    /// What went wrong.
    public var kind: Kind
    /// The file concerned, when there is one.
    public var path: String?

    /// An error of `kind` about the file at `path`.
    public init(_ kind: Kind, path: String? = nil) {
        self.kind = kind
        self.path = path
    }

    /// The input size cannot go through the network and its pooling.
    public static func badInputSize(height: Int, width: Int, reason: String) -> ModelError {
        ModelError(.badInputSize(height: height, width: width, reason: reason))
    }

    /// The image data handed to `embed` does not match the batch.
    public static func badBatch(_ reason: String) -> ModelError {
        ModelError(.badBatch(reason: reason))
    }

    /// What the user reads: the file, what is wrong, what to do.
    public var description: String {
        (path.map { "\($0): " } ?? "") + message
    }

    private var message: String {
        switch kind {
        case let .badInputSize(height, width, reason):
            return "input size \(height)x\(width) is not usable: \(reason)"
        case let .badBatch(reason):
            return "bad batch: \(reason)"
        case let .boxOutsideImage(x, y, width, height, imageWidth, imageHeight):
            return "box x=\(x) y=\(y) w=\(width) h=\(height) lies outside the \(imageWidth)x\(imageHeight) image; "
                + "check the detections' coordinates"
        case let .badArrayFile(detail):
            return "\(detail); write it with numpy.save as a float32 C-order array"
        }
    }
}
