import Foundation

/// A re-identification test set on disk: the `query/` and `bounding_box_test/` (gallery) images of a
/// Market-1501 or DukeMTMC-reID folder, with the person id and camera each name carries.
///
/// Images are listed in name order (the gallery order that breaks distance ties). Junk images (person
/// `-1`) are left out; distractors (`0000`) stay in the gallery. Files that are not `.jpg` (such as the
/// `Thumbs.db` that Market-1501 ships) are skipped; a `.jpg` whose name fits neither scheme is an error.
public struct ReIDDataset: Sendable {
    /// One image of a split.
    public struct Image: Sendable, Hashable {
        /// The image file.
        public var url: URL
        /// Person id and camera, from the name.
        public var label: PersonLabel
    }

    /// The data set folder.
    public var root: URL
    /// The naming scheme every image follows.
    public var scheme: ImageNameScheme
    /// Query images, in name order.
    public var query: [Image]
    /// Gallery images (`bounding_box_test/`), in name order.
    public var gallery: [Image]
    /// How many junk (`-1`) images were left out, over both splits.
    public var junkCount: Int

    /// The query split's folder name.
    public static let queryFolder = "query"
    /// The gallery split's folder name.
    public static let galleryFolder = "bounding_box_test"

    /// Reads the two split folders under `root` and parses every image name.
    ///
    /// - Throws: `EvaluationError` naming the missing or empty folder, or the first malformed file.
    public init(root: URL) throws {
        self.root = root
        var scheme: ImageNameScheme?
        var junk = 0
        let query = try Self.list(root.appendingPathComponent(Self.queryFolder), scheme: &scheme, junk: &junk)
        let gallery = try Self.list(root.appendingPathComponent(Self.galleryFolder), scheme: &scheme, junk: &junk)
        self.query = query
        self.gallery = gallery
        self.scheme = scheme ?? .market1501
        self.junkCount = junk
    }

    private static func list(_ folder: URL, scheme: inout ImageNameScheme?, junk: inout Int) throws -> [Image] {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: folder.path, isDirectory: &isDirectory), isDirectory.boolValue
        else { throw EvaluationError(.missingFolder(path: folder.path)) }
        let names = try FileManager.default.contentsOfDirectory(atPath: folder.path)
            .filter { !$0.hasPrefix(".") && $0.lowercased().hasSuffix(".jpg") }
            .sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) }
        var images: [Image] = []
        images.reserveCapacity(names.count)
        for name in names {
            let path = folder.appendingPathComponent(name)
            let parsed: ImageNameScheme.Parsed
            if let known = scheme {
                guard let p = known.parse(name) else {
                    let other = ImageNameScheme.allCases.first { $0 != known && $0.parse(name) != nil }
                    if other != nil {
                        throw EvaluationError(.mixedNamingSchemes(path: path.path, expected: known.pattern))
                    }
                    throw EvaluationError(.malformedImageName(path: path.path))
                }
                parsed = p
            } else {
                guard let found = ImageNameScheme.allCases.first(where: { $0.parse(name) != nil }),
                    let p = found.parse(name)
                else { throw EvaluationError(.malformedImageName(path: path.path)) }
                scheme = found
                parsed = p
            }
            switch parsed {
            case .junk: junk += 1
            case .image(let label): images.append(Image(url: path, label: label))
            }
        }
        guard !images.isEmpty else { throw EvaluationError(.emptyFolder(path: folder.path)) }
        return images
    }
}
