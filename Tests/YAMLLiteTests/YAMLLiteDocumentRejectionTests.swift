import XCTest
import YAMLLite

/// Every construct outside YAML-lite is refused with its own message at its exact line and column.
final class YAMLLiteDocumentRejectionTests: XCTestCase {
    private func rejection(_ text: String) -> YAMLLiteError? {
        do {
            _ = try YAMLLiteDocument.parse(text, file: "sample.yaml")
            return nil
        } catch {
            return error
        }
    }

    private func assertRejects(
        _ text: String, _ code: YAMLLiteError.Code, at line: Int, _ column: Int, message: String,
        file: StaticString = #filePath, line testLine: UInt = #line
    ) {
        guard let error = rejection(text) else {
            return XCTFail("accepted \(text.debugDescription)", file: file, line: testLine)
        }
        XCTAssertEqual(error.code, code, "\(error)", file: file, line: testLine)
        XCTAssertEqual(error.file, "sample.yaml", file: file, line: testLine)
        XCTAssertEqual(YAMLMark(line: error.line, column: error.column), YAMLMark(line: line, column: column),
                       "\(error)", file: file, line: testLine)
        XCTAssertEqual(error.message, message, file: file, line: testLine)
        XCTAssertFalse(error.hint.isEmpty, file: file, line: testLine)
    }

    // MARK: - Full messages

    func testParse_tabIndentation_readsFileLineColumnMessageAndHint() {
        XCTAssertEqual(rejection("cameras:\n\t- id: a\n")?.description,
                       "sample.yaml:2:1: tab used for indentation — indent with spaces only (YAML does not allow tabs in indentation)")
    }

    func testParse_duplicateKey_namesTheFirstOccurrence() {
        XCTAssertEqual(rejection("name: a\nfps: 25\nname: b\n")?.description,
                       "sample.yaml:3:1: duplicate key `name` (first at 1:1) — remove one of them: YAML would silently keep only the last")
    }

    func testParse_timestamp_isRefusedWithAQuoteHint() {
        XCTAssertEqual(rejection("date: 2001-12-14\n")?.description,
                       "sample.yaml:1:7: `2001-12-14` is a timestamp in YAML 1.1 (PyYAML reads it as a date) — quote it: '2001-12-14'")
    }

    func testParse_documentMarker_saysOneDocumentPerFile() {
        XCTAssertEqual(rejection("a: 1\n---\nb: 2\n")?.description,
                       "sample.yaml:2:1: `---` starts a new YAML document — a YAML-lite file holds exactly one document: remove the marker (put other documents in their own files)")
    }

    func testParse_flowMapping_saysHowToWriteTheMapping() {
        XCTAssertEqual(rejection("reid:\n  size: {w: 128, h: 384}\n")?.description,
                       "sample.yaml:2:9: flow mapping `{...}` is not supported — write the mapping as indented `key: value` lines (only the empty mapping `{}` may be written inline)")
    }

    // MARK: - Tabs

    func testParse_tabs_areRefusedWhereverPyYAMLRefusesThem() {
        assertRejects("a:\n  \tb: 1\n", .tab, at: 2, 3, message: "tab used for indentation")
        assertRejects("a: 1\n\t\nb: 2\n", .tab, at: 2, 1, message: "tab used for indentation")
        assertRejects("a:\tb\n", .tab, at: 1, 3, message: "tab character outside quotes")
        assertRejects("a: b\tc\n", .tab, at: 1, 5, message: "tab character outside quotes")
        assertRejects("-\tx\n", .tab, at: 1, 2, message: "tab character outside quotes")
        assertRejects("a: [1,\t2]\n", .tab, at: 1, 7, message: "tab character outside quotes")
    }

    // MARK: - Anchors, aliases, tags

    func testParse_anchorsAndAliases_areRefusedAtTheirIndicator() {
        assertRejects("base: &b 1\n", .anchor, at: 1, 7, message: "anchor `&b` is not supported")
        assertRejects("&k key: 1\n", .anchor, at: 1, 1, message: "anchor `&k` is not supported")
        assertRejects("- &item\n  a: 1\n", .anchor, at: 1, 3, message: "anchor `&item` is not supported")
        assertRejects("copy: *b\n", .alias, at: 1, 7, message: "alias `*b` is not supported")
        assertRejects("list: [1, *b]\n", .alias, at: 1, 11, message: "alias `*b` is not supported")
        assertRejects("a:\n  - *b\n", .alias, at: 2, 5, message: "alias `*b` is not supported")
    }

    func testParse_tags_areRefusedAtTheirIndicator() {
        assertRejects("a: !!str 1\n", .tag, at: 1, 4, message: "tag `!!str` is not supported")
        assertRejects("- !foo x\n", .tag, at: 1, 3, message: "tag `!foo` is not supported")
        assertRejects("a: [!!int 1]\n", .tag, at: 1, 5, message: "tag `!!int` is not supported")
        assertRejects("!!map\na: 1\n", .tag, at: 1, 1, message: "tag `!!map` is not supported")
    }

    // MARK: - Documents, block scalars, flow mappings

    func testParse_documentMarkersAndDirectives_areRefusedAtColumnOne() {
        assertRejects("---\na: 1\n", .documentMarker, at: 1, 1, message: "`---` starts a new YAML document")
        assertRejects("--- a\n", .documentMarker, at: 1, 1, message: "`---` starts a new YAML document")
        assertRejects("a: 1\n...\n", .documentMarker, at: 2, 1, message: "`...` ends a YAML document")
        assertRejects("%YAML 1.1\n---\na: 1\n", .documentMarker, at: 1, 1, message: "`%` starts a YAML directive")
    }

    func testParse_blockScalars_areRefused() {
        assertRejects("a: |\n  text\n", .blockScalar, at: 1, 4, message: "block scalar `|` is not supported")
        assertRejects("a: >-\n  text\n", .blockScalar, at: 1, 4, message: "block scalar `>` is not supported")
        assertRejects("- |\n  text\n", .blockScalar, at: 1, 3, message: "block scalar `|` is not supported")
    }

    func testParse_flowMappings_areRefusedButEmptyMappingIsAllowed() {
        assertRejects("{a: 1}\n", .flowMapping, at: 1, 1, message: "flow mapping `{...}` is not supported")
        assertRejects("a: [1, {b: 2}]\n", .flowMapping, at: 1, 8, message: "flow mapping `{...}` is not supported")
        assertRejects("a: [b: 1]\n", .flowMapping, at: 1, 6,
                      message: "`key: value` inside `[...]` makes a flow mapping, which YAML-lite does not support")
        assertRejects("a: [{}]\n", .flowMapping, at: 1, 5, message: "flow mapping `{...}` is not supported")
        XCTAssertEqual(try YAMLLiteDocument.parse("a: {}\n", file: "x").value, .mapping([.init(key: "a", value: .mapping([]))]))
    }

    // MARK: - Duplicates and ambiguous scalars

    func testParse_duplicateKeys_areRefusedAtTheSecondKey() {
        assertRejects("a: 1\nb: 2\na: 3\n", .duplicateKey, at: 3, 1, message: "duplicate key `a` (first at 1:1)")
        assertRejects("x:\n  a: 1\n  'a': 2\n", .duplicateKey, at: 3, 3, message: "duplicate key `a` (first at 2:3)")
        assertRejects("- a: 1\n  a: 2\n", .duplicateKey, at: 2, 3, message: "duplicate key `a` (first at 1:3)")
    }

    func testParse_scalarsPyYAMLReadsAsForeignTypes_areRefusedWithAQuoteHint() {
        assertRejects("t: 1:30\n", .ambiguousScalar, at: 1, 4, message: "`1:30` is a base-60 number in YAML 1.1 (PyYAML reads it as 90)")
        assertRejects("t: -1:30.5\n", .ambiguousScalar, at: 1, 4,
                      message: "`-1:30.5` is a base-60 number in YAML 1.1 (PyYAML reads it as -90.5)")
        assertRejects("at: 2001-12-14 21:59:43.10 -5\n", .ambiguousScalar, at: 1, 5,
                      message: "`2001-12-14 21:59:43.10 -5` is a timestamp in YAML 1.1 (PyYAML reads it as a date)")
        assertRejects("n: 9223372036854775808\n", .ambiguousScalar, at: 1, 4, message: "`9223372036854775808` does not fit in a 64-bit integer")
        assertRejects("n: 0b_\n", .ambiguousScalar, at: 1, 4, message: "`0b_` has no digits after its prefix, which PyYAML cannot load")
        assertRejects("a: <<\n", .ambiguousScalar, at: 1, 4, message: "`<<` is YAML's merge key")
        assertRejects("a: [=]\n", .ambiguousScalar, at: 1, 5, message: "`=` is YAML's value key, which PyYAML cannot load")
        assertRejects("1: a\n", .ambiguousScalar, at: 1, 1, message: "key `1` is read as an integer by YAML")
        assertRejects("x:\n  yes: a\n", .ambiguousScalar, at: 2, 3, message: "key `yes` is read as the boolean true by YAML")
        assertRejects("~: a\n", .ambiguousScalar, at: 1, 1, message: "key `~` is read as null by YAML")
        assertRejects("<<: a\n", .ambiguousScalar, at: 1, 1, message: "key `<<` is YAML's merge key")
    }

    // MARK: - Other structure

    func testParse_valuesThatWouldSpanLines_areRefused() {
        assertRejects("a: x\n  y\n", .syntax, at: 2, 3, message: "unexpected indentation")
        assertRejects("a: 1\n  b: 2\n", .syntax, at: 2, 3, message: "unexpected indentation")
        assertRejects("- x\n  y\n", .syntax, at: 2, 3, message: "unexpected indentation")
        assertRejects("a: 'x\n  y'\n", .syntax, at: 1, 4, message: "the string opened here is not closed on this line")
        assertRejects("a: \"x\\\n  y\"\n", .syntax, at: 1, 6, message: "`\\` at the end of a line continues a string on the next line")
        assertRejects("a: [1,\n  2]\n", .syntax, at: 1, 4, message: "the list `[` opened here is not closed on this line")
        assertRejects("x\ny\n", .syntax, at: 2, 1, message: "more content after the document's top-level value")
    }

    func testParse_misplacedIndicators_areRefused() {
        assertRejects("a: b: c\n", .syntax, at: 1, 5, message: "`:` followed by a space inside a value")
        assertRejects("a: b:\n", .syntax, at: 1, 5, message: "`:` followed by a space inside a value")
        assertRejects("a: - b\n", .syntax, at: 1, 4, message: "a `- ` list cannot start on the same line as its key `a`")
        assertRejects("a: 'x' y\n", .syntax, at: 1, 8, message: "unexpected text after the value of `a`")
        assertRejects("a: 'x'#c\n", .syntax, at: 1, 7, message: "`#` right after the value of `a`")
        assertRejects("a: [[1]]\n", .syntax, at: 1, 5, message: "a `[...]` list inside a `[...]` list")
        assertRejects("a: [1,,2]\n", .syntax, at: 1, 7, message: "empty item in `[...]`")
        assertRejects("a: @x\n", .syntax, at: 1, 4, message: "`@` cannot start a plain value")
        assertRejects("? a\n: b\n", .syntax, at: 1, 1, message: "`?` complex keys are not supported")
        assertRejects("a: 1\n- b\n", .syntax, at: 2, 1, message: "a `- ` list item among the keys of a mapping")
        assertRejects("a: 1\nplain\n", .syntax, at: 2, 1, message: "expected `key: value`")
        assertRejects("- a\nb: 1\n", .syntax, at: 2, 1, message: "expected a `- ` list item")
        assertRejects("  a: 1\nb: 2\n", .syntax, at: 2, 1, message: "this line is less indented than the document's first line")
        assertRejects("[a]: 1\n", .syntax, at: 1, 4, message: "`:` after the value")
    }

    func testParse_badEscapesAndCharacters_areRefused() {
        assertRejects(#"a: "\q""#, .syntax, at: 1, 5, message: "unknown escape `\\q`")
        assertRejects(#"a: "\ud800""#, .syntax, at: 1, 5,
                      message: "`\\ud800` is not a Unicode character (a surrogate, or beyond U+10FFFF)")
        assertRejects(#"a: "\x4""#, .syntax, at: 1, 5, message: "`\\x` needs 2 hexadecimal digits")
        assertRejects("a: \u{7}\n", .invalidCharacter, at: 1, 4, message: "control character U+0007 is not allowed in YAML")
        assertRejects("a: 1\u{2028}b: 2\n", .invalidCharacter, at: 1, 5, message: "U+2028 is a line break in YAML")
        assertRejects("a: 1\u{85}b: 2\n", .invalidCharacter, at: 1, 5, message: "U+0085 is a line break in YAML")
    }
}
