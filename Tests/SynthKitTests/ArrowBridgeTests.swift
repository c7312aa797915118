import CSynthABI
import Testing
@testable import SynthKit

struct ArrowBridgeTests {
    @Test func everyKindRoundTripsWithMissingValues() throws {
        let table = try Table(columns: [
            Column(name: "c", values: .continuous([1.5, 0, -2]), missing: [false, true, false]),
            Column(name: "i", values: .integer([1, 2, 3])),
            Column(name: "k", values: .categorical(codes: [1, 0, 1], levels: ["a", "ü"]), missing: [false, false, true]),
            Column(name: "b", values: .boolean([true, false, true]), missing: [true, false, false]),
            Column(name: "d", values: .datetime([0, 86_400_000_000, -5])),
        ])
        var schema = ArrowSchema(), array = ArrowArray()
        ArrowExport.export(table, schema: &schema, array: &array)
        #expect(String(cString: schema.format) == "+s")
        #expect(array.n_children == 5)
        #expect(array.children[0]!.pointee.null_count == 1)
        let back = try ArrowImport.importTable(schema: &schema, array: &array)
        // Missing cells hold placeholders; compare what is present.
        #expect(back.columnNames == table.columnNames)
        #expect(back.kinds == table.kinds)
        for (x, y) in zip(back.columns, table.columns) {
            for row in 0..<3 {
                #expect(x.isMissing(row) == y.isMissing(row))
                #expect(x.text(at: row) == y.text(at: row))
            }
        }
        array.release(&array)
        schema.release(&schema)
        #expect(array.release == nil && schema.release == nil)
    }

    @Test func unsupportedFormatIsNamed() throws {
        var schema = ArrowSchema(), array = ArrowArray()
        ArrowExport.export(try Table(columns: [Column(name: "x", values: .integer([1]))]), schema: &schema, array: &array)
        defer { array.release(&array); schema.release(&schema) }
        let original = schema.children[0]!.pointee.format
        "z".withCString { format in
            schema.children[0]!.pointee.format = format
            #expect(throws: ArrowImportError.unsupported(column: "x", format: "z")) {
                try ArrowImport.importTable(schema: &schema, array: &array)
            }
        }
        schema.children[0]!.pointee.format = original
    }

    @Test func errorBufferIsCutAtACharacterBoundary() {
        var storage = [CChar](repeating: 1, count: 6)
        storage.withUnsafeMutableBufferPointer { buffer in
            var error = synth_error(struct_size: UInt32(MemoryLayout<synth_error>.size), message: buffer.baseAddress, capacity: 6)
            writeError(&error, "abcdé€")
        }
        #expect(String(decoding: storage.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self) == "abcd")
    }
}
