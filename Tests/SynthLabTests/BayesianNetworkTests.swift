import Foundation
import SynthKit
import SynthLab
import Testing

@Suite("bayesian_network generator")
struct BayesianNetworkTests {
    func synthesize(_ dataset: String, seed: UInt64, parameters: [String: ParameterValue] = [:], epsilon: Double? = nil,
                    rows: Int? = nil) throws -> (Table, Table, GeneratorSession) {
        let registry = PluginRegistry(searchPath: [try Support.pluginFolder()])
        let host = HostServices(seed: seed)
        let privacy = try epsilon.map { try PluginInstance(registry.plugin("laplace"), values: ["epsilon": .float($0)], host: host) }
        let session = try GeneratorSession(generator: try PluginInstance(registry.plugin("bayesian_network"), values: parameters, host: host),
                                           privacy: privacy)
        let real = try CSVReader.read(path: Support.data(dataset))
        try session.fit(real, host: host)
        return (real, try session.sample(rows: rows ?? real.rowCount, host: host), session)
    }

    func columnShapes(_ real: Table, _ synthetic: Table) throws -> Double {
        let registry = PluginRegistry(searchPath: [try Support.pluginFolder()])
        let host = HostServices(seed: 0)
        let results = try Validating.run(try PluginInstance(registry.plugin("column_shapes"), host: host), real: real, synthetic: synthetic, host: host)
        return results.first { $0.metric.column == nil }!.metric.value
    }

    /// The share of rows where `b` takes the value most often seen with the row's `a` in `reference`.
    func agreement(_ table: Table, _ reference: Table, _ a: String, _ b: String) -> Double {
        var counts: [String: [String: Int]] = [:]
        let ra = reference.column(named: a)!, rb = reference.column(named: b)!
        for row in 0..<reference.rowCount { counts[ra.text(at: row) ?? "", default: [:]][rb.text(at: row) ?? "", default: 0] += 1 }
        let mode = counts.mapValues { $0.max { $0.value < $1.value }!.key }
        let ta = table.column(named: a)!, tb = table.column(named: b)!
        let hits = (0..<table.rowCount).filter { mode[ta.text(at: $0) ?? ""] == (tb.text(at: $0) ?? "") }.count
        return Double(hits) / Double(table.rowCount)
    }

    @Test func learnsTheDependenciesOfAdult() throws {
        let (real, synthetic, _) = try synthesize("adult.csv", seed: 7)
        #expect(synthetic.columnNames == real.columnNames && synthetic.kinds == real.kinds)
        #expect(try columnShapes(real, synthetic) > 0.97)
        // education determines education-num; relationship and sex are tied (husband / wife).
        #expect(agreement(synthetic, real, "education", "education-num") > 0.97)
        #expect(agreement(synthetic, real, "relationship", "sex") > agreement(real, real, "relationship", "sex") - 0.03)
        let rate = { (t: Table) in Double(t.column(named: "workclass")!.missingCount) / Double(t.rowCount) }
        #expect(abs(rate(synthetic) - rate(real)) < 0.01)
    }

    @Test func samplesGivenACategory() throws {
        let (real, _, session) = try synthesize("adult.csv", seed: 7, rows: 10)
        let rich = try session.sample(rows: 3000, where: ("income", ">50K"), host: HostServices(seed: 7))
        #expect((0..<3000).allSatisfy { rich.column(named: "income")!.text(at: $0) == ">50K" })
        func married(_ table: Table, among income: String) -> Double {
            let i = table.column(named: "income")!, m = table.column(named: "marital-status")!
            let rows = (0..<table.rowCount).filter { i.text(at: $0) == income }
            return Double(rows.filter { m.text(at: $0) == "Married-civ-spouse" }.count) / Double(rows.count)
        }
        #expect(abs(married(rich, among: ">50K") - married(real, among: ">50K")) < 0.04)
    }

    @Test func isDeterministicUnderASeedAndHonoursItsParameters() throws {
        let (_, a, _) = try synthesize("insurance.csv", seed: 3, parameters: ["degree": .int(1), "bins": .int(8)])
        let (_, b, _) = try synthesize("insurance.csv", seed: 3, parameters: ["degree": .int(1), "bins": .int(8)])
        let (_, c, _) = try synthesize("insurance.csv", seed: 3, parameters: ["degree": .int(3), "bins": .int(8)])
        #expect(CSVWriter.render(a) == CSVWriter.render(b))
        #expect(CSVWriter.render(a) != CSVWriter.render(c))
    }

    @Test func composedWithLaplaceItIsPrivBayes() throws {
        let (real, synthetic, session) = try synthesize("adult.csv", seed: 2, parameters: ["degree": .int(1)], epsilon: 1, rows: 10_000)
        #expect(session.privacySpent?.epsilon == 1)
        #expect(session.privacySpent?.delta == 0)
        #expect(synthetic.rowCount == 10_000 && synthetic.kinds == real.kinds)
        #expect(try columnShapes(real, synthetic) > 0.6)
        // A huge budget comes close to the non-private network.
        let (_, loose, _) = try synthesize("adult.csv", seed: 2, parameters: ["degree": .int(1)], epsilon: 1e6, rows: 10_000)
        #expect(try columnShapes(real, loose) > 0.8)
    }
}
