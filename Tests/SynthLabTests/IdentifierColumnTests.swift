import Foundation
import SynthKit
import Testing
@testable import SynthLab

/// The columns a fit warns of as identifiers: row numbers, dense ids and names, not measurements.
@Suite("identifier columns")
struct IdentifierColumnTests {
    @Test func rowNumbersIdsAndNamesAreIdentifiersAndMeasurementsAreNot() throws {
        let rows = 200
        let table = try Table(columns: [
            Column(name: "row", values: .integer((1...rows).map(Int64.init))),
            // Dense ids in shuffled order, one missing: still one per row.
            Column(name: "id", values: .integer((0..<rows).map { Int64(1000 + ($0 * 37) % rows) }), missing: (0..<rows).map { $0 == 5 }),
            Column(name: "name", values: .categorical(codes: (0..<rows).map { Int32($0 == 7 ? 3 : $0) }, levels: (0..<rows).map { "person \($0)" })),
            // All distinct, but spread far wider than the rows: an amount, not an id.
            Column(name: "amount", values: .integer((0..<rows).map { Int64($0 * 97 + 13) })),
            // Repeats: a patient seen more than once.
            Column(name: "patient", values: .integer((0..<rows).map { Int64($0 / 2) })),
            Column(name: "city", values: .categorical(codes: (0..<rows).map { Int32($0 % 4) }, levels: ["a", "b", "c", "d"])),
            Column(name: "x", values: .continuous((0..<rows).map { Double($0) * 0.5 })),
        ])
        #expect(GeneratorSession.identifierColumns(table) == ["row", "id", "name"])
        // Too few rows to tell.
        #expect(GeneratorSession.identifierColumns(table.rows(Array(0..<49))).isEmpty)
    }

    @Test func theSharedDatasetsRowNumbersAreFound() throws {
        let expected = ["adult.csv": [String](), "beijing_pm25.csv": ["No"], "covid_testing.csv": ["rownames"],
                        "german_credit.csv": [], "insurance.csv": [], "nyc_taxis.csv": []]
        for (file, columns) in expected {
            #expect(GeneratorSession.identifierColumns(try CSVReader.read(path: Support.data(file))) == columns, "\(file)")
        }
    }
}
