/// A restricted reader of Python pickles (protocols 0 to 5) that builds plain values and never
/// executes anything.
///
/// Globals are checked against ``PickleGlobal``'s whitelist when they are read; REDUCE, NEWOBJ,
/// INST, OBJ and BUILD are interpreted only for those globals (an OrderedDict is a dict, a
/// `_rebuild_tensor_v2` call is a ``TensorRecipe``). Extension codes and out-of-band buffers are
/// refused. Every length is checked against the bytes left before anything is allocated, so memory
/// stays proportional to the input; containers live in ``arena`` so nothing recurses.
struct Unpickler {
    /// Every container built so far; ``PickleValue/object(_:)`` indexes it.
    private(set) var arena: [PickleObject] = []

    private var stack: [PickleValue] = []
    private var marks: [Int] = []
    private var memo: [Int: PickleValue] = [:]

    init() {}

    /// The object at `value`, if `value` refers to one.
    func object(_ value: PickleValue) -> PickleObject? {
        if case .object(let index) = value { return arena[index] }
        return nil
    }

    /// Reads one pickle (up to and including its STOP opcode) from `reader` and returns its value.
    /// The memo starts empty, as for each `pickle.load` call.
    mutating func load(_ reader: inout ByteReader) throws -> PickleValue {
        stack.removeAll(keepingCapacity: true)
        marks.removeAll(keepingCapacity: true)
        memo.removeAll(keepingCapacity: true)
        while true {
            let at = reader.position
            let opcode = try reader.byte("a pickle (no STOP opcode)")
            switch opcode {
            case 0x80:  // PROTO
                let version = try reader.byte("PROTO")
                guard version <= 5 else {
                    throw WeightsError(.malformed(detail: "pickle protocol \(version) at byte \(at) is newer than 5"))
                }
            case 0x95:  // FRAME: a length hint only
                try reader.skip(8, "FRAME")
            case 0x2E:  // STOP
                let value = try pop(at)
                return value
            case 0x28:  // MARK
                marks.append(stack.count)
            case 0x30:  // POP
                if stack.count > (marks.last ?? 0) || marks.isEmpty {
                    _ = try pop(at)
                } else {
                    marks.removeLast()
                }
            case 0x31:  // POP_MARK
                _ = try popMark(at)
            case 0x32:  // DUP
                stack.append(try top(at))

            case 0x4E: stack.append(.none)  // NONE
            case 0x88: stack.append(.bool(true))  // NEWTRUE
            case 0x89: stack.append(.bool(false))  // NEWFALSE
            case 0x49:  // INT (text; 00 / 01 are False / True)
                let text = try ascii(reader.line("INT"))
                if text == "00" { stack.append(.bool(false)) }
                else if text == "01" { stack.append(.bool(true)) }
                else { stack.append(.int(try integer(text, at))) }
            case 0x4A: stack.append(.int(Int64(try reader.int32LE("BININT"))))
            case 0x4B: stack.append(.int(Int64(try reader.byte("BININT1"))))
            case 0x4D: stack.append(.int(Int64(try reader.unsignedLE(2, "BININT2"))))
            case 0x4C:  // LONG (text, trailing L)
                var text = try ascii(reader.line("LONG"))
                if text.hasSuffix("L") { text.removeLast() }
                stack.append(.int(try integer(text, at)))
            case 0x8A:  // LONG1
                let count = Int(try reader.byte("LONG1"))
                stack.append(Self.long(try reader.take(count, "LONG1")))
            case 0x8B:  // LONG4
                let count = Int(try reader.int32LE("LONG4"))
                guard count >= 0 else { throw malformed("negative LONG4 length", at) }
                stack.append(Self.long(try reader.take(count, "LONG4")))
            case 0x46:  // FLOAT (text)
                let text = try ascii(reader.line("FLOAT"))
                guard let value = Double(text) else { throw malformed("FLOAT `\(text)` is not a number", at) }
                stack.append(.float(value))
            case 0x47: stack.append(.float(try reader.doubleBE("BINFLOAT")))

            case 0x53:  // STRING (Python 2 str, quoted repr)
                stack.append(.string(try Self.quotedString(reader.line("STRING"), at)))
            case 0x54:  // BINSTRING (Python 2 str)
                let count = Int(try reader.int32LE("BINSTRING"))
                guard count >= 0 else { throw malformed("negative BINSTRING length", at) }
                stack.append(.string(Self.python2String(try reader.take(count, "BINSTRING"))))
            case 0x55:  // SHORT_BINSTRING (Python 2 str)
                let count = Int(try reader.byte("SHORT_BINSTRING"))
                stack.append(.string(Self.python2String(try reader.take(count, "SHORT_BINSTRING"))))
            case 0x56:  // UNICODE (raw-unicode-escape text)
                stack.append(.string(Self.rawUnicodeEscape(try reader.line("UNICODE"))))
            case 0x58:  // BINUNICODE
                let count = Int(try reader.unsignedLE(4, "BINUNICODE"))
                stack.append(.string(try utf8(reader.take(count, "BINUNICODE"), at)))
            case 0x8C:  // SHORT_BINUNICODE
                let count = Int(try reader.byte("SHORT_BINUNICODE"))
                stack.append(.string(try utf8(reader.take(count, "SHORT_BINUNICODE"), at)))
            case 0x8D:  // BINUNICODE8
                let count = try length8(&reader, "BINUNICODE8", at)
                stack.append(.string(try utf8(reader.take(count, "BINUNICODE8"), at)))
            case 0x42:  // BINBYTES
                let count = Int(try reader.unsignedLE(4, "BINBYTES"))
                stack.append(.bytes(Array(try reader.take(count, "BINBYTES"))))
            case 0x43:  // SHORT_BINBYTES
                let count = Int(try reader.byte("SHORT_BINBYTES"))
                stack.append(.bytes(Array(try reader.take(count, "SHORT_BINBYTES"))))
            case 0x8E, 0x96:  // BINBYTES8, BYTEARRAY8
                let count = try length8(&reader, "BINBYTES8", at)
                stack.append(.bytes(Array(try reader.take(count, "BINBYTES8"))))

            case 0x5D: stack.append(make(.list([])))  // EMPTY_LIST
            case 0x6C: stack.append(make(.list(try popMark(at))))  // LIST
            case 0x61:  // APPEND
                let item = try pop(at)
                try extendList(try top(at), with: [item], at)
            case 0x65:  // APPENDS
                let items = try popMark(at)
                try extendList(try top(at), with: items, at)
            case 0x29: stack.append(make(.tuple([])))  // EMPTY_TUPLE
            case 0x74: stack.append(make(.tuple(try popMark(at))))  // TUPLE
            case 0x85, 0x86, 0x87:  // TUPLE1, TUPLE2, TUPLE3
                let count = Int(opcode - 0x84)
                guard stack.count - count >= (marks.last ?? 0) else { throw malformed("stack underflow", at) }
                let items = Array(stack.suffix(count))
                stack.removeLast(count)
                stack.append(make(.tuple(items)))
            case 0x7D: stack.append(make(.dict(PickleDict())))  // EMPTY_DICT
            case 0x64:  // DICT
                let items = try popMark(at)
                var dict = PickleDict()
                try Self.setPairs(items, into: &dict, at)
                stack.append(make(.dict(dict)))
            case 0x73:  // SETITEM
                let value = try pop(at)
                let key = try pop(at)
                try updateDict(try top(at), with: [key, value], at)
            case 0x75:  // SETITEMS
                let items = try popMark(at)
                try updateDict(try top(at), with: items, at)
            case 0x8F: stack.append(make(.set([])))  // EMPTY_SET
            case 0x90:  // ADDITEMS
                let items = try popMark(at)
                guard case .object(let index) = try top(at), case .set(var members) = arena[index] else {
                    throw malformed("ADDITEMS on a non-set", at)
                }
                arena[index] = .set([])
                members.append(contentsOf: items)
                arena[index] = .set(members)
            case 0x91: stack.append(make(.set(try popMark(at))))  // FROZENSET

            case 0x67:  // GET
                stack.append(try recall(try integer(ascii(reader.line("GET")), at), at))
            case 0x68: stack.append(try recall(Int64(try reader.byte("BINGET")), at))
            case 0x6A: stack.append(try recall(Int64(try reader.unsignedLE(4, "LONG_BINGET")), at))
            case 0x70:  // PUT
                memo[Int(try integer(ascii(reader.line("PUT")), at))] = try top(at)
            case 0x71: memo[Int(try reader.byte("BINPUT"))] = try top(at)
            case 0x72: memo[Int(try reader.unsignedLE(4, "LONG_BINPUT"))] = try top(at)
            case 0x94: memo[memo.count] = try top(at)  // MEMOIZE

            case 0x63:  // GLOBAL
                let module = try ascii(reader.line("GLOBAL"))
                let name = try ascii(reader.line("GLOBAL"))
                stack.append(make(.global(try PickleGlobal(module: module, name: name))))
            case 0x93:  // STACK_GLOBAL
                let name = try pop(at)
                let module = try pop(at)
                guard case .string(let moduleName) = module, case .string(let globalName) = name else {
                    throw malformed("STACK_GLOBAL needs two strings", at)
                }
                stack.append(make(.global(try PickleGlobal(module: moduleName, name: globalName))))
            case 0x52:  // REDUCE
                let arguments = try pop(at)
                let callable = try pop(at)
                stack.append(try call(callable, arguments: try tupleItems(arguments, "REDUCE", at), at))
            case 0x81:  // NEWOBJ
                let arguments = try pop(at)
                let cls = try pop(at)
                stack.append(try call(cls, arguments: try tupleItems(arguments, "NEWOBJ", at), at))
            case 0x92:  // NEWOBJ_EX
                let keywords = try pop(at)
                let arguments = try pop(at)
                let cls = try pop(at)
                guard case .object(let index) = keywords, case .dict(let dict) = arena[index], dict.count == 0 else {
                    throw malformed("NEWOBJ_EX with keyword arguments", at)
                }
                stack.append(try call(cls, arguments: try tupleItems(arguments, "NEWOBJ_EX", at), at))
            case 0x69:  // INST
                let module = try ascii(reader.line("INST"))
                let name = try ascii(reader.line("INST"))
                let global = make(.global(try PickleGlobal(module: module, name: name)))
                stack.append(try call(global, arguments: try popMark(at), at))
            case 0x6F:  // OBJ
                var items = try popMark(at)
                guard !items.isEmpty else { throw malformed("OBJ without a class", at) }
                let cls = items.removeFirst()
                stack.append(try call(cls, arguments: items, at))
            case 0x62:  // BUILD
                let state = try pop(at)
                try build(try top(at), state: state, at)
            case 0x50:  // PERSID
                let id = PickleValue.string(try ascii(reader.line("PERSID")))
                stack.append(make(.persistentID(id)))
            case 0x51:  // BINPERSID
                stack.append(make(.persistentID(try pop(at))))

            default:
                // EXT1/2/4 (0x82-0x84: the copyreg extension registry), NEXT_BUFFER/READONLY_BUFFER
                // (0x97, 0x98: out-of-band data) and unknown bytes.
                throw WeightsError(.unsupportedOpcode(opcode: opcode, offset: at))
            }
        }
    }

    // MARK: - Interpreting the whitelisted globals

    /// What calling `callable(*arguments)` would build, for the whitelisted globals only.
    private mutating func call(_ callable: PickleValue, arguments: [PickleValue], _ at: Int) throws -> PickleValue {
        guard case .object(let index) = callable, case .global(let global) = arena[index] else {
            throw malformed("a call to a \(callable.kindName) that is not a whitelisted global", at)
        }
        switch global {
        case .orderedDict:
            var dict = PickleDict()
            if let items = arguments.first {
                // Python 2's OrderedDict.__reduce__ passes a list of [key, value] pairs.
                guard arguments.count == 1, case .object(let listIndex) = items else {
                    throw malformed("OrderedDict called with \(arguments.count) arguments", at)
                }
                let pairs: [PickleValue]
                switch arena[listIndex] {
                case .list(let list), .tuple(let list): pairs = list
                default: throw malformed("OrderedDict called with a non-list", at)
                }
                for pair in pairs {
                    guard case .object(let pairIndex) = pair else { throw malformed("OrderedDict item is not a pair", at) }
                    switch arena[pairIndex] {
                    case .list(let kv) where kv.count == 2, .tuple(let kv) where kv.count == 2:
                        dict[kv[0]] = kv[1]
                    default:
                        throw malformed("OrderedDict item is not a pair", at)
                    }
                }
            }
            return make(.dict(dict))
        case .rebuildTensor(let version):
            let allowed = version == 2 ? [6, 7] : [4]
            guard allowed.contains(arguments.count) else {
                throw malformed("_rebuild_tensor\(version == 2 ? "_v2" : "") called with \(arguments.count) arguments", at)
            }
            guard case .object(let storageIndex) = arguments[0], case .persistentID = arena[storageIndex] else {
                throw malformed("a tensor's storage is not a persistent id", at)
            }
            guard case .int(let offset) = arguments[1] else { throw malformed("a tensor's storage offset is not an int", at) }
            let shape = try intTuple(arguments[2], "size", at)
            let strides = try intTuple(arguments[3], "stride", at)
            return make(.tensor(TensorRecipe(storage: arguments[0], offset: Int(offset), shape: shape, strides: strides)))
        case .rebuildParameter:
            guard (3...4).contains(arguments.count), case .object(let tensorIndex) = arguments[0],
                case .tensor = arena[tensorIndex]
            else {
                throw malformed("_rebuild_parameter without a tensor", at)
            }
            return arguments[0]
        case .storage(let dtype):
            throw malformed("the pickle calls the storage class for \(dtype) directly", at)
        case .codecsEncode:
            guard (1...2).contains(arguments.count), case .string(let text) = arguments[0] else {
                throw malformed("_codecs.encode without a string", at)
            }
            let encoding = arguments.count == 2 ? arguments[1] : .string("utf-8")
            switch encoding {
            case .string("latin1"), .string("latin-1"), .string("iso-8859-1"):
                guard let bytes = Self.latin1Bytes(text) else { throw malformed("_codecs.encode: not Latin-1 text", at) }
                return .bytes(bytes)
            case .string("utf-8"), .string("utf8"):
                return .bytes(Array(text.utf8))
            default:
                throw malformed("_codecs.encode with an encoding other than latin1 or utf-8", at)
            }
        case .numpyDType:
            guard let first = arguments.first, case .string(let code) = first else {
                throw malformed("numpy.dtype without a type code", at)
            }
            return make(.numpyDType(code: code, byteOrder: "="))
        case .numpyScalar:
            guard arguments.count == 2, case .numpyDType(let code, let order)? = object(arguments[0]) else {
                throw malformed("numpy scalar without a dtype", at)
            }
            return try Self.numpyScalar(code: code, byteOrder: order, data: arguments[1], at)
        }
    }

    /// A numpy scalar's value from its type code (`f8`, `i8`, `u1`, `b1` ...) and raw bytes (a
    /// `bytes` value, or a Python 2 `str` holding them).
    private static func numpyScalar(code: String, byteOrder: String, data: PickleValue, _ at: Int) throws -> PickleValue {
        guard let kind = code.first, let width = Int(code.dropFirst()) else {
            throw WeightsError(.malformed(detail: "pickle: numpy dtype `\(code)` is not a number type (at byte \(at))"))
        }
        let raw: [UInt8]
        switch data {
        case .bytes(let bytes): raw = bytes
        case .string(let text):
            // A Python 2 str was decoded as UTF-8 when valid (its UTF-8 is then the original
            // bytes), else as Latin-1 (its scalars are the original bytes).
            if text.utf8.count == width { raw = Array(text.utf8) }
            else if let bytes = latin1Bytes(text), bytes.count == width { raw = bytes }
            else { raw = [] }
        default: raw = []
        }
        guard raw.count == width, [1, 2, 4, 8].contains(width) else {
            throw WeightsError(.malformed(detail: "pickle: numpy scalar of dtype `\(code)` has \(raw.count) bytes (at byte \(at))"))
        }
        let ordered = byteOrder == ">" ? Array(raw.reversed()) : raw
        var bits: UInt64 = 0
        for (shift, byte) in ordered.enumerated() { bits |= UInt64(byte) << (8 * UInt64(shift)) }
        switch (kind, width) {
        case ("f", 2): return .float(Double(RawStorage.float(half: UInt16(bits))))
        case ("f", 4): return .float(Double(Float(bitPattern: UInt32(bits))))
        case ("f", 8): return .float(Double(bitPattern: bits))
        case ("i", _):
            let shift = UInt64(64 - 8 * width)
            return .int(Int64(bitPattern: bits << shift) >> shift)
        case ("u", _):
            guard let value = Int64(exactly: bits) else { return .bigInt(raw + [0]) }
            return .int(value)
        case ("b", 1): return .bool(bits != 0)
        default:
            throw WeightsError(.malformed(detail: "pickle: numpy dtype `\(code)` is not a number type (at byte \(at))"))
        }
    }

    /// The bytes of text whose scalars are all below 256 (Latin-1), or `nil`.
    private static func latin1Bytes(_ text: String) -> [UInt8]? {
        var bytes: [UInt8] = []
        for scalar in text.unicodeScalars {
            guard scalar.value < 256 else { return nil }
            bytes.append(UInt8(scalar.value))
        }
        return bytes
    }

    /// BUILD (`__setstate__`): an OrderedDict's attributes (`_metadata`) carry nothing a model
    /// needs; a numpy dtype's state tuple carries its byte order.
    private mutating func build(_ target: PickleValue, state: PickleValue, _ at: Int) throws {
        guard case .object(let index) = target else { throw malformed("BUILD on a \(target.kindName)", at) }
        switch arena[index] {
        case .dict, .tensor: return
        case .numpyDType(let code, _):
            guard case .tuple(let items)? = object(state), items.count >= 2, case .string(let order) = items[1] else {
                throw malformed("numpy dtype state is not (version, byteorder, ...)", at)
            }
            arena[index] = .numpyDType(code: code, byteOrder: order)
        default: throw malformed("BUILD on something that is not a dict or tensor", at)
        }
    }

    // MARK: - Stack, memo and containers

    private mutating func make(_ object: PickleObject) -> PickleValue {
        arena.append(object)
        return .object(arena.count - 1)
    }

    private mutating func pop(_ at: Int) throws -> PickleValue {
        guard stack.count > (marks.last ?? 0), let value = stack.popLast() else {
            throw malformed("stack underflow", at)
        }
        return value
    }

    private func top(_ at: Int) throws -> PickleValue {
        guard stack.count > (marks.last ?? 0), let value = stack.last else { throw malformed("stack underflow", at) }
        return value
    }

    private mutating func popMark(_ at: Int) throws -> [PickleValue] {
        guard let mark = marks.popLast() else { throw malformed("no MARK before a mark-taking opcode", at) }
        let items = Array(stack[mark...])
        stack.removeSubrange(mark...)
        return items
    }

    private func recall(_ key: Int64, _ at: Int) throws -> PickleValue {
        guard let value = memo[Int(truncatingIfNeeded: key)] else { throw malformed("memo entry \(key) was never stored", at) }
        return value
    }

    /// Appends in place: the list is moved out of the arena first so it is never copied.
    private mutating func extendList(_ target: PickleValue, with items: [PickleValue], _ at: Int) throws {
        guard case .object(let index) = target, case .list(var list) = arena[index] else {
            throw malformed("APPEND to something that is not a list", at)
        }
        arena[index] = .list([])
        list.append(contentsOf: items)
        arena[index] = .list(list)
    }

    private mutating func updateDict(_ target: PickleValue, with items: [PickleValue], _ at: Int) throws {
        guard case .object(let index) = target, case .dict(var dict) = arena[index] else {
            throw malformed("SETITEM on something that is not a dict", at)
        }
        arena[index] = .dict(PickleDict())
        try Self.setPairs(items, into: &dict, at)
        arena[index] = .dict(dict)
    }

    private static func setPairs(_ items: [PickleValue], into dict: inout PickleDict, _ at: Int) throws {
        guard items.count % 2 == 0 else { throw WeightsError(.malformed(detail: "odd number of dict items at byte \(at)")) }
        for pair in stride(from: 0, to: items.count, by: 2) { dict[items[pair]] = items[pair + 1] }
    }

    private func tupleItems(_ value: PickleValue, _ opcode: String, _ at: Int) throws -> [PickleValue] {
        guard case .object(let index) = value, case .tuple(let items) = arena[index] else {
            throw malformed("\(opcode) arguments are not a tuple", at)
        }
        return items
    }

    private func intTuple(_ value: PickleValue, _ what: String, _ at: Int) throws -> [Int] {
        guard case .object(let index) = value else { throw malformed("a tensor's \(what) is not a tuple", at) }
        let items: [PickleValue]
        switch arena[index] {
        case .tuple(let list), .list(let list): items = list
        default: throw malformed("a tensor's \(what) is not a tuple", at)
        }
        return try items.map { item in
            guard case .int(let value) = item, let int = Int(exactly: value) else {
                throw malformed("a tensor's \(what) holds a non-integer", at)
            }
            return int
        }
    }

    // MARK: - Scalars

    private func malformed(_ detail: String, _ at: Int) -> WeightsError {
        WeightsError(.malformed(detail: "pickle: \(detail) (at byte \(at))"))
    }

    private func length8(_ reader: inout ByteReader, _ what: String, _ at: Int) throws -> Int {
        let count = try reader.unsignedLE(8, what)
        guard count <= UInt64(reader.remaining) else { throw WeightsError(.truncated(what: what, offset: reader.position)) }
        return Int(count)
    }

    private func ascii(_ bytes: ArraySlice<UInt8>) throws -> String {
        var text = String(decoding: bytes, as: UTF8.self)
        if text.hasSuffix("\r") { text.removeLast() }
        return text
    }

    private func utf8(_ bytes: ArraySlice<UInt8>, _ at: Int) throws -> String {
        guard let text = String(validating: bytes, as: UTF8.self) else { throw malformed("a string is not valid UTF-8", at) }
        return text
    }

    private func integer(_ text: String, _ at: Int) throws -> Int64 {
        guard let value = Int64(text.filter { !$0.isWhitespace }) else { throw malformed("`\(text)` is not a 64-bit integer", at) }
        return value
    }

    /// A little-endian two's-complement integer of any length (LONG1 / LONG4).
    static func long(_ bytes: ArraySlice<UInt8>) -> PickleValue {
        guard !bytes.isEmpty else { return .int(0) }
        let negative = bytes.last! & 0x80 != 0
        let fill: UInt8 = negative ? 0xFF : 0x00
        // Fits in 64 bits when every byte past the 8th only repeats the sign of the 8th.
        let low = bytes.prefix(8)
        let lowNegative = low.last! & 0x80 != 0
        if bytes.count <= 8 || (lowNegative == negative && bytes.dropFirst(8).allSatisfy { $0 == fill }) {
            var value: UInt64 = negative ? ~0 : 0
            for (shift, byte) in low.enumerated() {
                value &= ~(UInt64(0xFF) << (8 * UInt64(shift)))
                value |= UInt64(byte) << (8 * UInt64(shift))
            }
            return .int(Int64(bitPattern: value))
        }
        return .bigInt(Array(bytes))
    }

    /// A Python 2 `str`: UTF-8 when it is valid UTF-8 (names always are), else Latin-1.
    static func python2String(_ bytes: ArraySlice<UInt8>) -> String {
        if let text = String(validating: bytes, as: UTF8.self) { return text }
        return String(bytes.map { Character(Unicode.Scalar($0)) })
    }

    /// The STRING opcode's argument: a Python 2 repr in single or double quotes.
    static func quotedString(_ line: ArraySlice<UInt8>, _ at: Int) throws -> String {
        var bytes = Array(line)
        if bytes.last == 0x0D { bytes.removeLast() }
        guard bytes.count >= 2, let quote = bytes.first, quote == 0x27 || quote == 0x22, bytes.last == quote else {
            throw WeightsError(.malformed(detail: "pickle: STRING argument is not quoted (at byte \(at))"))
        }
        let body = bytes[1..<(bytes.count - 1)]
        var out: [UInt8] = []
        var index = body.startIndex
        while index < body.endIndex {
            let byte = body[index]
            index += 1
            guard byte == 0x5C, index < body.endIndex else { out.append(byte); continue }
            let escape = body[index]
            index += 1
            switch escape {
            case UInt8(ascii: "n"): out.append(0x0A)
            case UInt8(ascii: "t"): out.append(0x09)
            case UInt8(ascii: "r"): out.append(0x0D)
            case UInt8(ascii: "x"):
                let digits = body[index..<min(index + 2, body.endIndex)]
                guard digits.count == 2, let value = UInt8(String(decoding: digits, as: UTF8.self), radix: 16) else {
                    throw WeightsError(.malformed(detail: "pickle: bad \\x escape in STRING (at byte \(at))"))
                }
                out.append(value)
                index += 2
            case UInt8(ascii: "0")...UInt8(ascii: "7"):
                var value = Int(escape - 0x30)
                var digits = 1
                while digits < 3, index < body.endIndex, (0x30...0x37).contains(body[index]) {
                    value = value * 8 + Int(body[index] - 0x30)
                    index += 1
                    digits += 1
                }
                out.append(UInt8(truncatingIfNeeded: value))
            default: out.append(escape)
            }
        }
        return python2String(out[...])
    }

    /// The UNICODE opcode's argument: raw-unicode-escape (`\uXXXX`, `\UXXXXXXXX`, other bytes Latin-1).
    static func rawUnicodeEscape(_ line: ArraySlice<UInt8>) -> String {
        var scalars = String.UnicodeScalarView()
        var index = line.startIndex
        while index < line.endIndex {
            let byte = line[index]
            if byte == 0x5C, index + 1 < line.endIndex, line[index + 1] == 0x75 || line[index + 1] == 0x55 {
                let width = line[index + 1] == 0x75 ? 4 : 8
                let digits = line[(index + 2)..<min(index + 2 + width, line.endIndex)]
                if digits.count == width, let code = UInt32(String(decoding: digits, as: UTF8.self), radix: 16),
                    let scalar = Unicode.Scalar(code)
                {
                    scalars.append(scalar)
                    index += 2 + width
                    continue
                }
            }
            scalars.append(Unicode.Scalar(byte))
            index += 1
        }
        return String(scalars)
    }
}
