import Foundation
import SynthKit
import SynthMath
import Testing
@testable import SynthMetrics

struct DistanceTests {
    /// The blocked BLAS search against a plain loop over every pair, on blocks of odd sizes.
    @Test func nearestNeighboursMatchBruteForce() throws {
        var random = Philox(seed: 5)
        let d = 7, q = 1300, r = 4500
        let queries = (0..<(q * d)).map { _ in Float(random.nextNormal()) }
        var references = (0..<(r * d)).map { _ in Float(random.nextNormal()) }
        // One query has an exact twin among the references.
        for j in 0..<d { references[1234 * d + j] = queries[17 * d + j] }
        let (nearest, second) = try nearestNeighbourDistances(queries: queries, references: references, width: d)
        for i in stride(from: 0, to: q, by: 13) {
            var all = (0..<r).map { k in
                (0..<d).reduce(0.0) { total, j in
                    let diff = Double(queries[i * d + j]) - Double(references[k * d + j])
                    return total + diff * diff
                }.squareRoot()
            }
            all.sort()
            #expect(abs(nearest[i] - all[0]) < 1e-9, "query \(i): \(nearest[i]) vs \(all[0])")
            #expect(abs(second[i] - all[1]) < 1e-9, "query \(i)")
        }
        #expect(nearest[17] == 0)
    }

    @Test func exactCopiesCompareEveryCellAndMissingMatchesMissing() throws {
        let reference = try Table(columns: [
            Column(name: "x", values: .continuous([1, 2, 3]), missing: [false, false, true]),
            Column(name: "c", values: .categorical(codes: [0, 1, 1], levels: ["a", "b"])),
        ])
        let query = try Table(columns: [
            Column(name: "c", values: .categorical(codes: [1, 0, 0, 1], levels: ["a", "b"])),
            Column(name: "x", values: .continuous([2, 2, 9, 0]), missing: [false, false, false, true]),
        ])
        #expect(try exactCopies(of: query, in: reference) == [true, false, false, true])
    }

    @Test func repeatedRowsAreTheRowsThatAnotherRowEquals() throws {
        // Rows 0 and 3 are one row, rows 1 and 4 are missing x with the same category; row 2 and 5 differ in c.
        let table = try Table(columns: [
            Column(name: "x", values: .continuous([1, 0, 3, 1, 7, 3]), missing: [false, true, false, false, true, false]),
            Column(name: "c", values: .categorical(codes: [0, 1, 1, 0, 1, 0], levels: ["a", "b"])),
        ])
        #expect(repeatedRowShare(table) == 4.0 / 6.0)
        #expect(repeatedRowShare(table.rows([0, 1, 2])) == 0)
        #expect(repeatedRowShare(table.rows([])) == 0)
    }

    @Test func recordSpacePutsDifferentCategoriesAtDistanceOne() throws {
        let table = try Table(columns: [
            Column(name: "x", values: .continuous([0, 10, 5])),
            Column(name: "c", values: .categorical(codes: [0, 1, 0], levels: ["a", "b"])),
        ])
        let encoder = RecordEncoder(reference: table)
        let points = try encoder.encode(table)
        let (nearest, _) = try nearestNeighbourDistances(queries: Array(points[0..<encoder.width]),
                                                     references: Array(points[encoder.width...]), width: encoder.width)
        // Row 0 (x 0, a) to row 2 (x 5, a): 0.5; to row 1 (x 10, b): √2.
        #expect(abs(nearest[0] - 0.5) < 1e-6)
    }
}
