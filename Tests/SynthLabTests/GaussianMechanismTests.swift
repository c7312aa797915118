import CSynthABI
import Foundation
import SynthKit
import SynthMath
import Testing
@testable import SynthLab

/// The `gaussian` privacy plugin: zCDP accounting, calibrated noise, the plan enforced, and its
/// composition with the Gaussian copula.
struct GaussianMechanismTests {
    static func mechanism(epsilon: Double, delta: Double = 1e-5, seed: UInt64 = 1) throws -> (PluginInstance, HostServices) {
        let registry = PluginRegistry(searchPath: [try Support.pluginFolder()])
        let host = HostServices(seed: seed)
        return (try PluginInstance(try registry.plugin("gaussian"), values: ["epsilon": .float(epsilon), "delta": .float(delta)], host: host), host)
    }

    /// The ρ of (ε, δ) by the conversion ρ + 2√(ρ ln(1/δ)) = ε, solved by bisection here.
    static func rho(epsilon: Double, delta: Double) -> Double {
        var low = 0.0, high = epsilon
        for _ in 0..<200 {
            let middle = (low + high) / 2
            if middle + 2 * (middle * log(1 / delta)).squareRoot() > epsilon { high = middle } else { low = middle }
        }
        return low
    }

    @Test func noiseHasTheCalibratedDeviationAndTheBudgetIsSpentExactly() throws {
        let (privacy, host) = try Self.mechanism(epsilon: 1, delta: 1e-6)
        let statistics = try #require(privacy.capability(Capability.privacyStatistics, as: synth_privacy_statistics_v1.self))
        let queries = 4, cells = 50_000
        let rho = Self.rho(epsilon: 1, delta: 1e-6)
        let sigma = 1 / (2 * rho / Double(queries)).squareRoot()
        var squares = 0.0
        try host.withHost { pointer in
            try callPlugin("gaussian", "plan") { statistics.pointee.plan(privacy.pointer, pointer, UInt32(queries), $0) }
            for query in 0..<queries {
                var out = [Double](repeating: 0, count: cells)
                let exact = [Double](repeating: 100, count: cells)
                try callPlugin("gaussian", "histogram") { statistics.pointee.histogram(privacy.pointer, pointer, exact, UInt64(cells), 1, &out, $0) }
                for value in out { squares += (value - 100) * (value - 100) }
                let spent = PrivacyAccount.spent(privacy)
                let expected = Double(query + 1) / Double(queries) * rho
                #expect(abs(spent.epsilon - (expected + 2 * (expected * log(1e6)).squareRoot())) < 1e-9 * max(spent.epsilon, 1))
                #expect(spent.delta == 1e-6)
            }
            // A query beyond the plan is refused.
            var out = [0.0]
            #expect(throws: SynthLabError.self) {
                try callPlugin("gaussian", "histogram") { statistics.pointee.histogram(privacy.pointer, pointer, [1], 1, 1, &out, $0) }
            }
        }
        let measured = (squares / Double(queries * cells)).squareRoot()
        #expect(abs(measured / sigma - 1) < 0.01, "σ measured \(measured), calibrated \(sigma)")
        #expect(abs(PrivacyAccount.spent(privacy).epsilon - 1) < 1e-9, "the whole plan spends ε exactly")
    }

    @Test func composedWithTheCopulaItMakesNoisyMarginalsAndCorrelations() throws {
        let registry = PluginRegistry(searchPath: [try Support.pluginFolder()])
        let host = HostServices(seed: 8)
        let privacy = try PluginInstance(registry.plugin("gaussian"), values: ["epsilon": .float(5)], host: host)
        let session = try GeneratorSession(generator: try PluginInstance(registry.plugin("gaussian_copula"), host: host), privacy: privacy)
        let real = try CSVReader.read(path: Support.data("adult.csv"))
        try session.fit(real, host: host)
        let synthetic = try session.sample(rows: 20_000, host: host)
        let spent = try #require(session.privacySpent)
        #expect(abs(spent.epsilon - 5) < 1e-9 && spent.delta == 1e-5)
        #expect(synthetic.kinds == real.kinds)
        let age = { (t: Table) in t.column(named: "age")!.presentNumbers()! }
        #expect(ksStatistic(age(real), age(synthetic))! < 0.1)
    }
}

/// Uneven budget splits (`plan_weighted`) and PrivBayes' use of them.
struct WeightedPlanTests {
    @Test func laplaceGivesEachQueryItsShare() throws {
        let registry = PluginRegistry(searchPath: [try Support.pluginFolder()])
        let host = HostServices(seed: 2)
        let privacy = try PluginInstance(try registry.plugin("laplace"), values: ["epsilon": .float(1)], host: host)
        let statistics = try #require(privacy.capability(Capability.privacyStatistics, as: synth_privacy_statistics_v1.self))
        let cells = 100_000
        var deviations: [Double] = []
        try host.withHost { pointer in
            let weights = [1.0, 3.0]
            try callPlugin("laplace", "plan_weighted") { statistics.pointee.plan_weighted(privacy.pointer, pointer, weights, 2, $0) }
            for _ in 0..<2 {
                var out = [Double](repeating: 0, count: cells)
                try callPlugin("laplace", "histogram") {
                    statistics.pointee.histogram(privacy.pointer, pointer, [Double](repeating: 0, count: cells), UInt64(cells), 1, &out, $0)
                }
                // The mean absolute value of Laplace(b) noise is b.
                deviations.append(out.map(abs).reduce(0, +) / Double(cells))
            }
        }
        #expect(abs(deviations[0] / 4 - 1) < 0.02, "ε 0.25 → scale 4, measured \(deviations[0])")
        #expect(abs(deviations[1] / (4.0 / 3) - 1) < 0.02, "ε 0.75 → scale 4/3, measured \(deviations[1])")
        #expect(PrivacyAccount.spent(privacy).epsilon == 1)
    }

    @Test func privBayesSplitsItsBudgetAsThePaperDoes() throws {
        let shell = try CapturedSession()
        #expect(shell.type(#"ins = load("\#(Support.data("insurance.csv"))")"#))
        #expect(shell.type("r = run(experiment(tables: ins, generators: bayesian_network() with laplace(epsilon: 1), seeds: [1], validators: quality))"),
                Comment(rawValue: shell.errors))
        let store = try ResultStore(workspace: shell.session.workspace)
        let outcome = try #require(try store.keys().first.flatMap { try store.outcome(forKey: $0) })
        #expect(outcome.epsilon == 1)
        // 21 pair tables share 0.3, 7 conditional tables share 0.7.
        #expect(outcome.log.contains { $0.contains("laplace: ε = 1.0 split over 28 queries by weight (from 0.0142857142857") && $0.hasSuffix("to 0.1)") },
                "\(outcome.log)")
        #expect(outcome.log.contains { $0.contains("θ-usefulness allows conditional tables of at most 33 cells") }, "\(outcome.log)")
    }
}
