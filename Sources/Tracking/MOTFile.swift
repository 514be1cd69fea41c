import Foundation

/// The records of one MOTChallenge text file (ground truth, detections or tracker output).
///
/// Fields may be separated by commas, tabs or spaces (as py-motmetrics accepts). At least 7 fields
/// (`frame,id,x,y,w,h,conf`) are required; blank lines are ignored.
public struct MOTFile: Sendable, Equatable {
    /// What to do with a line that cannot be used.
    public enum BadLinePolicy: Sendable {
        /// Throw the first bad line's `MOTFileError`.
        case fail
        /// Skip it and list it in `skipped`.
        case skip
    }

    /// The records in file order.
    public var records: [MOTRecord]
    /// Lines skipped under `.skip`, each with its reason.
    public var skipped: [MOTFileError]

    /// Makes a file's content from records.
    public init(records: [MOTRecord], skipped: [MOTFileError] = []) {
        self.records = records
        self.skipped = skipped
    }

    /// Reads and parses `url`.
    /// - Throws: `MOTFileError` naming the file when it cannot be read, or a bad line under `.fail`.
    public static func read(_ url: URL, onBadLine policy: BadLinePolicy = .fail) throws -> MOTFile {
        let data: Data
        do {
            data = try Data(contentsOf: url)
        } catch {
            throw MOTFileError(path: url.path, line: 0, message: "cannot read the file (\(error.localizedDescription)); check the path")
        }
        guard let text = String(data: data, encoding: .utf8) else {
            throw MOTFileError(path: url.path, line: 0, message: "not UTF-8 text; expected MOTChallenge lines frame,id,x,y,w,h,conf,...")
        }
        return try parse(text, path: url.path, onBadLine: policy)
    }

    /// Parses MOTChallenge text; `path` names the source in errors.
    public static func parse(_ text: String, path: String, onBadLine policy: BadLinePolicy = .fail) throws -> MOTFile {
        var records: [MOTRecord] = []
        var skipped: [MOTFileError] = []
        var seen = Set<Int64>()
        var lineNumber = 0
        // "\r\n" is one Character in Swift, and a newline like "\n".
        for line in text.split(omittingEmptySubsequences: false, whereSeparator: \.isNewline) {
            lineNumber += 1
            if line.allSatisfy({ $0 == " " || $0 == "\t" }) { continue }
            do {
                let record = try parseLine(line, path: path, line: lineNumber)
                if record.id >= 0 {
                    let key = Int64(record.frame) << 32 | Int64(UInt32(truncatingIfNeeded: record.id))
                    guard seen.insert(key).inserted else {
                        throw MOTFileError(path: path, line: lineNumber,
                                           message: "id \(record.id) appears twice in frame \(record.frame); each id may appear once per frame")
                    }
                }
                records.append(record)
            } catch let error as MOTFileError {
                if policy == .fail { throw error }
                skipped.append(error)
            }
        }
        return MOTFile(records: records, skipped: skipped)
    }

    private static func parseLine(_ line: Substring, path: String, line lineNumber: Int) throws -> MOTRecord {
        let fields = line.split(whereSeparator: { $0 == "," || $0 == " " || $0 == "\t" })
        guard fields.count >= 7 else {
            throw MOTFileError(path: path, line: lineNumber,
                               message: "expected at least 7 fields frame,id,x,y,w,h,conf but found \(fields.count)")
        }
        func real(_ index: Int, _ name: String) throws -> Double {
            guard let value = Double(fields[index]), value.isFinite else {
                throw MOTFileError(path: path, line: lineNumber, message: "field \(index + 1) (\(name)) is '\(fields[index])', not a finite number")
            }
            return value
        }
        func integer(_ index: Int, _ name: String) throws -> Int {
            let value = try real(index, name)
            guard value == value.rounded(), abs(value) < 1e9 else {
                throw MOTFileError(path: path, line: lineNumber, message: "field \(index + 1) (\(name)) is '\(fields[index])', not an integer")
            }
            return Int(value)
        }
        let frame = try integer(0, "frame")
        guard frame >= 1 else {
            throw MOTFileError(path: path, line: lineNumber, message: "frame \(frame) is not 1-based; MOTChallenge frames start at 1")
        }
        let id = try integer(1, "id")
        let box = BoundingBox(x: try real(2, "x"), y: try real(3, "y"), w: try real(4, "width"), h: try real(5, "height"))
        let confidence = try real(6, "confidence")
        // Fields 8 and on mean different things per format (MOT15: world x,y,z; MOT16: class, visibility)
        // and no metric reads them: kept when they fit MOT16's meaning, never an error.
        let classID = fields.count > 7 ? Double(fields[7]).flatMap { $0 == $0.rounded() && abs($0) < 1e9 ? Int($0) : nil } : nil
        let visibility = fields.count > 8 ? Double(fields[8]).flatMap { $0.isFinite ? $0 : nil } : nil
        return MOTRecord(frame: frame, id: id, box: box, confidence: confidence,
                         classID: classID == -1 ? nil : classID, visibility: visibility == -1 ? nil : visibility)
    }

    /// The file's text: one line per record, in order, each ending with a newline.
    public var text: String {
        var out = ""
        for record in records {
            out += record.line
            out += "\n"
        }
        return out
    }

    /// Writes `text` to `url`, replacing it.
    /// - Throws: `MOTFileError` naming the file when it cannot be written.
    public func write(to url: URL) throws {
        do {
            try Data(text.utf8).write(to: url, options: .atomic)
        } catch {
            throw MOTFileError(path: url.path, line: 0, message: "cannot write the file (\(error.localizedDescription)); check the folder exists and is writable")
        }
    }
}
