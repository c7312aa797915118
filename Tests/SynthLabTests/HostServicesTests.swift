import CSynthABI
import Foundation
import SynthKit
import Testing
@testable import SynthLab

/// The services the host hands plugins: progress, logs, cancellation, the seed, and the privacy
/// mechanism composed with a generator.
struct HostServicesTests {
    final class Recorder: @unchecked Sendable {
        var progress: [Double?] = []
        var logs: [String] = []
    }

    @Test func progressAndLogsReachTheHost() throws {
        let registry = PluginRegistry(searchPath: [try Support.pluginFolder()])
        let recorder = Recorder()
        let host = HostServices(seed: 4, log: { _, message in recorder.logs.append(message) },
                                progress: { fraction, _ in recorder.progress.append(fraction) })
        let table = try CSVReader.read(path: Support.data("insurance.csv"))
        let privacy = try PluginInstance(try registry.plugin("laplace"), values: ["epsilon": .float(2)], host: host)
        let session = try GeneratorSession(generator: try PluginInstance(try registry.plugin("independent"), host: host), privacy: privacy)
        try session.fit(table, host: host)
        #expect(recorder.progress.count == table.columns.count)
        #expect(recorder.progress.last == 1)
        #expect(recorder.logs.contains { $0.contains("split over 7 queries") })
        #expect(session.privacySpent == PrivacySpend(epsilon: 2, delta: 0))
        #expect(PrivacyAccount.budget(privacy) == PrivacySpend(epsilon: 2, delta: 0))
    }

    @Test func aCancelledHostStopsTheGenerator() throws {
        let registry = PluginRegistry(searchPath: [try Support.pluginFolder()])
        let host = HostServices(seed: 1)
        let session = try GeneratorSession(generator: try PluginInstance(try registry.plugin("independent"), host: host), privacy: nil)
        host.cancel()
        #expect(throws: SynthLabError.pluginFailed(plugin: "independent", operation: "fit", message: "cancelled")) {
            try session.fit(try CSVReader.read(path: Support.data("insurance.csv")), host: host)
        }
    }

    @Test func samplingBeforeFittingIsAnErrorNotACrash() throws {
        let registry = PluginRegistry(searchPath: [try Support.pluginFolder()])
        let host = HostServices(seed: 1)
        let generator = try PluginInstance(try registry.plugin("independent"), host: host)
        let interface = try #require(generator.capability(Capability.generator, as: synth_generator_v1.self))
        var schema = ArrowSchema(), array = ArrowArray()
        #expect(throws: SynthLabError.pluginFailed(plugin: "independent", operation: "sample", message: "sample() called before fit()")) {
            try host.withHost { pointer in
                try callPlugin("independent", "sample") { interface.pointee.sample(generator.pointer, pointer, 10, &schema, &array, $0) }
            }
        }
    }

    @Test func laplaceRefusesQueriesBeyondItsPlan() throws {
        let registry = PluginRegistry(searchPath: [try Support.pluginFolder()])
        let host = HostServices(seed: 1)
        let privacy = try PluginInstance(try registry.plugin("laplace"), values: ["epsilon": .float(1)], host: host)
        let statistics = try #require(privacy.capability(Capability.privacyStatistics, as: synth_privacy_statistics_v1.self))
        var out = [0.0, 0.0]
        try host.withHost { pointer in
            try callPlugin("laplace", "plan") { statistics.pointee.plan(privacy.pointer, pointer, 1, $0) }
            try callPlugin("laplace", "histogram") { statistics.pointee.histogram(privacy.pointer, pointer, [10, 20], 2, 1, &out, $0) }
            #expect(out != [10, 20])
            #expect(throws: SynthLabError.self) {
                try callPlugin("laplace", "histogram") { statistics.pointee.histogram(privacy.pointer, pointer, [10, 20], 2, 1, &out, $0) }
            }
        }
        #expect(PrivacyAccount.spent(privacy).epsilon == 1)
    }

    @Test func noisyAnswersDependOnlyOnTheSeed() throws {
        func answers(seed: UInt64) throws -> [Double] {
            let registry = PluginRegistry(searchPath: [try Support.pluginFolder()])
            let host = HostServices(seed: seed)
            let privacy = try PluginInstance(try registry.plugin("laplace"), values: ["epsilon": .float(1)], host: host)
            let statistics = try #require(privacy.capability(Capability.privacyStatistics, as: synth_privacy_statistics_v1.self))
            var out = [0.0, 0.0, 0.0]
            try host.withHost { pointer in
                try callPlugin("laplace", "plan") { statistics.pointee.plan(privacy.pointer, pointer, 1, $0) }
                try callPlugin("laplace", "histogram") { statistics.pointee.histogram(privacy.pointer, pointer, [1, 2, 3], 3, 1, &out, $0) }
            }
            return out
        }
        #expect(try answers(seed: 5) == answers(seed: 5))
        #expect(try answers(seed: 5) != answers(seed: 6))
    }
}
