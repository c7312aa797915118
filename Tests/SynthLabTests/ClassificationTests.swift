import Foundation
import SynthKit
import SynthLab
import SynthMath
import Testing

@Suite("classification generator (simulated ground truth)")
struct ClassificationTests {
    func simulate(_ parameters: [String: ParameterValue], rows: Int = 4000, seed: UInt64 = 1) throws -> Table {
        let registry = PluginRegistry(searchPath: [try Support.pluginFolder()])
        let host = HostServices(seed: seed)
        let plugin = try registry.plugin("classification", kind: .generator)
        #expect(plugin.descriptor.simulates)
        return try GeneratorSession(generator: try PluginInstance(plugin, values: parameters, host: host), privacy: nil).sample(rows: rows, host: host)
    }

    func numbers(_ table: Table, _ name: String) -> [Double] { table.column(named: name)!.presentNumbers()! }
    func labels(_ table: Table) -> [Int] {
        guard case .categorical(let codes, _) = table.column(named: "label")!.values else { return [] }
        return codes.map(Int.init)
    }

    @Test func featuresHaveTheirRoles() throws {
        let table = try simulate(["n_features": .int(8), "n_informative": .int(3), "n_redundant": .int(2), "n_repeated": .int(1),
                                  "class_sep": .float(2), "flip_y": .float(0)])
        #expect(table.columnNames == ["informative_1", "informative_2", "informative_3", "redundant_1", "redundant_2", "repeated_1",
                                      "noise_1", "noise_2", "label"])
        // Redundant features are exact linear combinations of the informative ones: least squares
        // leaves no residual.
        let informative = (1...3).map { numbers(table, "informative_\($0)") }
        var design = Matrix<Double>(rows: table.rowCount, columns: 3)
        for r in 0..<table.rowCount { for j in 0..<3 { design[r, j] = informative[j][r] } }
        let gram = design.multiplied(by: design, transposeSelf: true)
        let l = try #require(gram.cholesky())
        for name in ["redundant_1", "redundant_2"] {
            let target = numbers(table, name)
            let rhs = design.multiplied(by: Matrix(rows: table.rowCount, columns: 1, storage: target), transposeSelf: true).storage
            // Solve L Lᵀ w = rhs.
            var z = [0.0, 0.0, 0.0], w = [0.0, 0.0, 0.0]
            for i in 0..<3 { z[i] = (rhs[i] - (0..<i).reduce(0) { $0 + l[i, $1] * z[$1] }) / l[i, i] }
            for i in (0..<3).reversed() { w[i] = (z[i] - ((i + 1)..<3).reduce(0) { $0 + l[$1, i] * w[$1] }) / l[i, i] }
            let residual = (0..<table.rowCount).map { r in target[r] - (0..<3).reduce(0) { $0 + w[$1] * informative[$1][r] } }
            #expect(residual.map { abs($0) }.max()! < 1e-9, "\(name)")
        }
        // The repeated feature copies an earlier one.
        let repeated = numbers(table, "repeated_1")
        #expect((informative + [numbers(table, "redundant_1"), numbers(table, "redundant_2")]).contains(repeated))
        // Informative features separate the classes; noise does not.
        let y = labels(table)
        func separation(_ x: [Double]) -> Double {
            let a = zip(x, y).filter { $0.1 == 0 }.map(\.0), b = zip(x, y).filter { $0.1 == 1 }.map(\.0)
            return ksStatistic(a, b)!
        }
        #expect(informative.map(separation).max()! > 0.3)
        #expect(separation(numbers(table, "noise_1")) < 0.06)
    }

    @Test func classWeightsLabelNoiseAndBinning() throws {
        let table = try simulate(["weights": .string("0.9"), "flip_y": .float(0.2), "categorical_features": .int(1),
                                  "categorical_levels": .int(5)], rows: 20_000)
        // 90 % class 0 before noise; a fifth of the labels drawn again uniformly moves 0.2 × 0.4.
        let share = Double(labels(table).filter { $0 == 1 }.count) / Double(table.rowCount)
        #expect(abs(share - (0.1 + 0.2 * (0.5 - 0.1))) < 0.015)
        let binned = table.column(named: "informative_1")!
        #expect(binned.kind == .categorical)
        guard case .categorical(let codes, let levels) = binned.values else { return }
        #expect(levels.count == 5)
        for level in 0..<5 { #expect(abs(Double(codes.filter { $0 == level }.count) / 20_000 - 0.2) < 0.01) }
    }

    @Test func isDeterministicAndChecksItsSettings() throws {
        let a = try simulate(["n_features": .int(5)], seed: 4), b = try simulate(["n_features": .int(5)], seed: 4)
        let c = try simulate(["n_features": .int(5)], seed: 5)
        #expect(CSVWriter.render(a) == CSVWriter.render(b) && CSVWriter.render(a) != CSVWriter.render(c))
        #expect(throws: SynthLabError.self) { _ = try simulate(["n_features": .int(3), "n_informative": .int(2), "n_redundant": .int(2)]) }
        #expect(throws: SynthLabError.self) { _ = try simulate(["n_informative": .int(1), "n_classes": .int(3)]) }
        #expect(throws: SynthLabError.self) { _ = try simulate(["weights": .string("0.5, x")]) }
    }
}
