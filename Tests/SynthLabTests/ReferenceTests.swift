import Foundation
import SynthKit
import SynthMath
import Testing
@testable import SynthLab

/// Our numbers against reference implementations, from checked-in fixtures.
struct ReferenceTests {
    struct Fixture: Decodable {
        struct Dataset: Decodable {
            let split: Int
            let ks: [String: String]
            let pvalue: [String: String]
        }
        let datasets: [String: Dataset]
    }

    /// scipy.stats.ks_2samp on the first vs second half of every numeric column of every shared
    /// dataset (made by bench/fixtures/make_ks_fixture.py): the statistic, also through the
    /// column_shapes plugin, and the p-value.
    @Test func ksStatisticsMatchScipy() throws {
        let data = try Data(contentsOf: URL(fileURLWithPath: Support.fixtures + "/ks_scipy.json"))
        let fixture = try JSONDecoder().decode(Fixture.self, from: data)
        let registry = PluginRegistry(searchPath: [try Support.pluginFolder(with: ["libsynth_column_shapes.so"])])
        let host = HostServices(seed: 0)
        let validator = try PluginInstance(try registry.plugin("column_shapes"), host: host)
        var compared = 0
        for (name, expected) in fixture.datasets.sorted(by: { $0.key < $1.key }) {
            let table = try CSVReader.read(path: Support.data(name + ".csv"))
            let first = table.rows(Array(0..<expected.split)), second = table.rows(Array(expected.split..<table.rowCount))
            let metrics = try Validating.run(validator, real: first, synthetic: second, host: host)
            for (column, text) in expected.ks {
                let reference = try #require(Double(text))
                let direct = try #require(ksStatistic(first.column(named: column)!.presentNumbers()!, second.column(named: column)!.presentNumbers()!))
                #expect(abs(direct - reference) <= 1e-12, "\(name).\(column): \(direct) vs scipy \(reference)")
                let score = try #require(metrics.first { $0.metric.column == column && $0.metric.name == "ks_complement" })
                #expect(abs((1 - score.metric.value) - reference) <= 1e-12, "\(name).\(column)")
                // The p-value, exact or asymptotic as scipy chooses.
                let expectedText = try #require(expected.pvalue[column])
                let expectedP = try #require(Double(expectedText))
                let test = try #require(ksTwoSampleTest(first.column(named: column)!.presentNumbers()!, second.column(named: column)!.presentNumbers()!))
                #expect(abs(test.pValue - expectedP) <= 1e-9, "\(name).\(column): p \(test.pValue) vs scipy \(expectedP)")
                compared += 1
            }
        }
        #expect(compared >= 40)
    }
}
