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

    /// The progress line's estimate: the pace from the first report with a fraction (setup
    /// before it does not count), none for the first report, a message alone or the last one.
    @Test func progressLinesEstimateTheTimeLeft() {
        let clock = ProgressClock()
        #expect(clock.line(nil, "encoding column 1 of 15: age", at: 0) == "encoding column 1 of 15: age")
        #expect(clock.line(nil, nil, at: 1) == nil)
        // The first epoch ends 30 s in, after 20 s of setup: no pace yet.
        #expect(clock.line(0.01, "epoch 1/100", at: 30) == "epoch 1/100")
        // Two epochs in 2 s more: 1 s each, 97 to go.
        #expect(clock.line(0.03, "epoch 3/100", at: 32) == "about 1 min 37 s left · epoch 3/100")
        #expect(clock.line(0.5, nil, at: 79) == "about 50 s left · 50%")
        #expect(clock.line(1, "epoch 100/100", at: 129) == "epoch 100/100")
        // Sampling after the fit starts again from its own first report.
        #expect(clock.line(0.1, "sampling", at: 130) == "sampling")
        #expect(clock.line(0.2, "sampling", at: 131) == "about 8 s left · sampling")
        #expect(ProgressClock.duration(0.2) == "1 s")
        #expect(ProgressClock.duration(59.4) == "59 s")
        #expect(ProgressClock.duration(120) == "2 min")
        #expect(ProgressClock.duration(599) == "9 min 59 s")
        #expect(ProgressClock.duration(1490) == "25 min")
        #expect(ProgressClock.duration(3600) == "1 h")
        #expect(ProgressClock.duration(7530) == "2 h 6 min")
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
