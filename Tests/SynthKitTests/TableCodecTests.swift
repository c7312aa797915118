import Foundation
import Testing
@testable import SynthKit

@Suite("Tables in bytes and back (TableCodec)")
struct TableCodecTests {
    /// Every kind, missing cells, levels out of first-appearance order, and doubles whose bits a
    /// text round trip could lose (-0.0, NaN, infinities, the smallest subnormal).
    func mixed() throws -> Table {
        try Table(columns: [
            Column(name: "x", values: .continuous([-0.0, .nan, .infinity, -.infinity, .leastNonzeroMagnitude, 0.1 + 0.2]),
                   missing: [false, false, false, false, true, false]),
            Column(name: "n", values: .integer([Int64.min, -1, 0, 1, Int64.max, 42])),
            Column(name: "city", values: .categorical(codes: [2, 0, 1, 2, 0, 0], levels: ["Zürich", "東京", ""]),
                   missing: [false, false, false, false, false, true]),
            Column(name: "flag", values: .boolean([true, false, true, true, false, false]), missing: [true, false, false, false, false, false]),
            Column(name: "when", values: .datetime([0, -86_400_000_000, 1_700_000_000_123_456, 1, 2, 3])),
            Column(name: "nothing", values: .categorical(codes: [0, 0, 0, 0, 0, 0], levels: []), missing: Array(repeating: true, count: 6)),
        ])
    }

    @Test func roundTripsEveryBit() throws {
        let table = try mixed()
        let back = try TableCodec.decode(TableCodec.encode(table))
        #expect(back.columnNames == table.columnNames)
        #expect(back.kinds == table.kinds)
        for (a, b) in zip(table.columns, back.columns) {
            #expect((0..<6).map(a.isMissing) == (0..<6).map(b.isMissing))
            if case .continuous(let x) = a.values, case .continuous(let y) = b.values {
                #expect(x.map(\.bitPattern) == y.map(\.bitPattern))
            } else {
                #expect(a.values == b.values, "column \(a.name)")
            }
        }
        for table in [try Table(columns: []), try Table(columns: [Column(name: "empty", values: .integer([]))])] {
            #expect(try TableCodec.decode(TableCodec.encode(table)) == table)
        }
    }

    @Test func damagedBytesAreRefusedWithTheReason() throws {
        let bytes = TableCodec.encode(try mixed())
        func problem(_ bytes: [UInt8]) -> String {
            do {
                _ = try TableCodec.decode(bytes)
                return "decoded"
            } catch {
                return error.description
            }
        }
        #expect(problem(Array("a,b\n1,2\n".utf8)) == "not a table (no SLTB header)")
        #expect(problem(Array(bytes.dropLast(3))).hasPrefix("cut short at byte "))
        #expect(problem(bytes + [0]) == "1 bytes after the last column")
        var version = bytes
        version[4] = 9
        #expect(problem(version) == "table format 9, expected 1")
        // The first column's kind byte follows the header (20 bytes) and its name ("x": 4 + 1).
        var kind = bytes
        kind[25] = 77
        #expect(problem(kind) == "column 'x': kind 77 unknown")
        // A code past the levels: the last code of "city" is its last 4 bytes before "flag".
        let city = try TableCodec.encode(Table(columns: [Column(name: "c", values: .categorical(codes: [1], levels: ["a", "b"]))]))
        var code = city
        code[code.count - 4] = 5
        #expect(problem(code) == "column 'c': code 5 outside its 2 levels")
    }
}
