import Foundation

/// A folder of feature files, one per `FeatureCacheKey`, so a second evaluation with other ranking
/// options does not embed the images again.
///
/// File layout: the 8 bytes `PNFEAT01`, a little-endian UInt64 header length, a JSON header (the key,
/// counts, dimension), then the query and gallery features as little-endian Float32 rows, then one
/// Float32 attention peak per image. Files are written to a temporary name and renamed, so a run
/// that stops half way never leaves a truncated cache behind.
public struct FeatureCache: Sendable {
    /// The folder holding the files (created on first store).
    public var directory: URL

    /// A cache in `directory`.
    public init(directory: URL) { self.directory = directory }

    /// `$XDG_CACHE_HOME/panoptes/features`, else `~/.cache/panoptes/features`.
    public static var defaultDirectory: URL {
        let env = ProcessInfo.processInfo.environment
        let base = env["XDG_CACHE_HOME"].map { URL(fileURLWithPath: $0) }
            ?? FileManager.default.homeDirectoryForCurrentUser.appendingPathComponent(".cache")
        return base.appendingPathComponent("panoptes/features")
    }

    /// Features of one data set under one key.
    public struct Entry: Sendable {
        /// What they were computed from.
        public var key: FeatureCacheKey
        /// Query features, in the key's image order.
        public var query: FeatureMatrix
        /// Gallery features, in the key's image order.
        public var gallery: FeatureMatrix
        /// Per image (query, then gallery), the largest attention weight (0 without attention).
        public var attentionPeaks: [Float]

        /// Bundles features with their key.
        public init(key: FeatureCacheKey, query: FeatureMatrix, gallery: FeatureMatrix, attentionPeaks: [Float]) {
            self.key = key
            self.query = query
            self.gallery = gallery
            self.attentionPeaks = attentionPeaks
        }
    }

    private struct Header: Codable {
        var key: FeatureCacheKey
        var queryCount: Int
        var galleryCount: Int
        var dimension: Int
    }

    private static let magic = Data("PNFEAT01".utf8)

    /// Where `key`'s file lives.
    public func url(for key: FeatureCacheKey) -> URL { directory.appendingPathComponent(key.fileName) }

    /// The entry for `key`, or nil when there is none (or the file holds another key).
    ///
    /// - Throws: `EvaluationError.unreadableCache` when the file exists but is damaged.
    public func load(_ key: FeatureCacheKey) throws -> Entry? {
        let url = url(for: key)
        guard FileManager.default.fileExists(atPath: url.path) else { return nil }
        let data: Data
        do { data = try Data(contentsOf: url, options: .mappedIfSafe) } catch {
            throw EvaluationError(.unreadableCache(path: url.path, reason: "\(error.localizedDescription)"))
        }
        func damaged(_ why: String) -> EvaluationError { EvaluationError(.unreadableCache(path: url.path, reason: why)) }
        guard data.count >= 16, data.prefix(8) == Self.magic else { throw damaged("not a Panoptes feature file") }
        let headerLength = data.subdata(in: 8..<16).withUnsafeBytes { Int(UInt64(littleEndian: $0.loadUnaligned(as: UInt64.self))) }
        guard headerLength > 0, 16 + headerLength <= data.count else { throw damaged("header length \(headerLength) past the end") }
        let header: Header
        do { header = try JSONDecoder().decode(Header.self, from: data.subdata(in: 16..<(16 + headerLength))) } catch {
            throw damaged("header is not valid JSON")
        }
        guard header.key == key else { return nil }
        let n = header.queryCount + header.galleryCount
        let floats = n * header.dimension + n
        guard header.dimension > 0, data.count == 16 + headerLength + floats * 4 else {
            throw damaged("\(data.count) bytes, expected \(16 + headerLength + floats * 4)")
        }
        let values: [Float] = data.subdata(in: (16 + headerLength)..<data.count).withUnsafeBytes { raw in
            (0..<floats).map { Float(bitPattern: UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: $0 * 4, as: UInt32.self))) }
        }
        let d = header.dimension
        let qEnd = header.queryCount * d, gEnd = n * d
        return Entry(
            key: key,
            query: FeatureMatrix(count: header.queryCount, dimension: d, values: Array(values[0..<qEnd])),
            gallery: FeatureMatrix(count: header.galleryCount, dimension: d, values: Array(values[qEnd..<gEnd])),
            attentionPeaks: Array(values[gEnd...]))
    }

    /// Writes `entry` under its key, replacing any older file.
    ///
    /// - Returns: the file written.
    @discardableResult
    public func store(_ entry: Entry) throws -> URL {
        precondition(entry.query.dimension == entry.gallery.dimension)
        precondition(entry.attentionPeaks.count == entry.query.count + entry.gallery.count)
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let header = try JSONEncoder().encode(Header(
            key: entry.key, queryCount: entry.query.count, galleryCount: entry.gallery.count, dimension: entry.query.dimension))
        var data = Self.magic
        withUnsafeBytes(of: UInt64(header.count).littleEndian) { data.append(contentsOf: $0) }
        data.append(header)
        for part in [entry.query.values, entry.gallery.values, entry.attentionPeaks] {
            data.reserveCapacity(data.count + part.count * 4)
            for x in part { withUnsafeBytes(of: x.bitPattern.littleEndian) { data.append(contentsOf: $0) } }
        }
        let url = url(for: entry.key)
        let temporary = directory.appendingPathComponent(".\(url.lastPathComponent).\(ProcessInfo.processInfo.processIdentifier).tmp")
        try data.write(to: temporary)
        _ = try? FileManager.default.removeItem(at: url)
        try FileManager.default.moveItem(at: temporary, to: url)
        return url
    }
}
