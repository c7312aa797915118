import Foundation
import Testing
@testable import SynthShell
import SynthKit

@Suite("validate() in a worker process")
struct ValidateWorkerTests {
    static let insurance = Support.data("insurance.csv")

    /// Every metric of every built-in validator that applies, to the last digit.
    @Test func aWorkerGivesTheNumbersOfAnInProcessRun() throws {
        let shell = try CapturedSession()
        #expect(shell.type(#"ins = load("\#(Self.insurance)", target: "charges")"#))
        #expect(shell.type("s = sample(fit(gaussian_copula(), ins, seed: 5), rows: 500)"))
        var details: [String] = []
        for executor in ["workers", "inprocess"] {
            let file = Support.temporaryFolder("synthlab-validate") + "/details.csv"
            #expect(shell.type(#"v = validate(ins, s, holdout: ins, seed: 9, executor: "\#(executor)")"#), Comment(rawValue: shell.errors))
            #expect(shell.type(#"export(details(v), "\#(file)")"#), Comment(rawValue: shell.errors))
            details.append(try String(contentsOfFile: file, encoding: .utf8))
        }
        #expect(details[0] == details[1])
        for validator in ["fidelity", "quality", "utility", "detection", "privacy_risk", "missing_rates", "column_shapes"] {
            #expect(details[0].contains(",\(validator),"), "\(validator) ran")
        }
        #expect(details[0].split(separator: "\n").count > 100)
    }

    @Test func aValidatorThatAbortsFailsTheCallNotTheSession() throws {
        let plugins = try Support.pluginFolder()
        try Support.compileC(Support.fixtures + "/cplugins/aborting_validator.c", to: plugins + "/aborting_validator.so")
        let shell = try CapturedSession(pluginFolder: plugins)
        #expect(shell.type(#"ins = load("\#(Self.insurance)")"#))
        #expect(!shell.type("v = validate(ins, ins, validators: [column_shapes, aborts_on_seed], seed: 2)"))
        #expect(shell.errors.contains("validator 'aborts_on_seed' crashed its worker process (signal 6, SIGABRT: a plugin aborted)"),
                Comment(rawValue: shell.errors))
        #expect(shell.session.lookup("v") == nil, "a failed call binds nothing")
        // The session goes on, and the same validator on another seed reports.
        #expect(shell.type("v = validate(ins, ins, validators: aborts_on_seed, seed: 3)"), Comment(rawValue: shell.errors))
        let file = Support.temporaryFolder("synthlab-validate") + "/v.csv"
        #expect(shell.type(#"export(details(v), "\#(file)")"#))
        #expect(try String(contentsOfFile: file, encoding: .utf8).contains("aborts_on_seed,seed_parity,"))
    }

    @Test func errorsReadAsInProcess() throws {
        let plugins = try Support.pluginFolder()
        try Support.compileC(Support.fixtures + "/cplugins/aborting_validator.c", to: plugins + "/aborting_validator.so")
        let shell = try CapturedSession(pluginFolder: plugins)
        #expect(shell.type(#"ins = load("\#(Self.insurance)")"#))
        var errors: [String] = []
        for executor in ["workers", "inprocess"] {
            shell.clear()
            #expect(!shell.type(#"validate(ins, ins, validators: [column_shapes, aborts_on_seed], seed: 4, executor: "\#(executor)")"#))
            errors.append(String(shell.errors.prefix { $0 != "\n" }))
        }
        #expect(errors[0] == errors[1])
        #expect(errors[0] == "error: aborts_on_seed: validate failed: seed 4 is refused", Comment(rawValue: errors[0]))
        #expect(shell.result(#"validate(ins, ins, seed: 1, executor: "elsewhere")"#)
            .contains("no executor 'elsewhere' for validate (executors: workers, inprocess)"))
    }

    @Test func cancellingStopsTheWorker() throws {
        let shell = try CapturedSession()
        #expect(shell.type(#"ins = load("\#(Self.insurance)", target: "charges")"#))
        shell.session.cancellationRequested = { true }
        #expect(!shell.type("v = validate(ins, ins, validators: detection, seed: 1)"))
        #expect(shell.errors.contains("cancelled (Ctrl-C); every binding is kept"), Comment(rawValue: shell.errors))
    }
}

@Suite("Metric goals across the plugin boundary, the worker and the store")
struct MetricGoalTests {
    static let insurance = Support.data("insurance.csv")

    static func goals(_ shell: CapturedSession, _ name: String) throws -> [String: MetricGoal] {
        guard case .results(let results) = try #require(shell.session.lookup(name)) else { throw SupportError("\(name) holds no results") }
        var goals: [String: MetricGoal] = [:]
        for trial in results.trials { for result in trial.metrics { goals[result.metric.name] = result.metric.goal } }
        return goals
    }

    /// A C validator's metric whose best is a value comes through with that value, in process,
    /// from a validate worker and from the results store; one in an earlier release of the struct
    /// reads as it did then.
    @Test func aNearestGoalKeepsItsTargetEverywhere() throws {
        let plugins = try Support.pluginFolder()
        try Support.compileC(Support.fixtures + "/cplugins/goal_validator.c", to: plugins + "/goal_validator.so")
        let shell = try CapturedSession(pluginFolder: plugins)
        #expect(shell.type(#"ins = load("\#(Self.insurance)")"#))
        let expected: [String: MetricGoal] = ["near_half": .nearest(0.5), "nearest_without_target": .none, "first_release": .maximize,
                                              "unknown_goal": .none]
        for executor in ["inprocess", "workers"] {
            #expect(shell.type(#"v = validate(ins, ins, validators: goals, seed: 3, executor: "\#(executor)")"#), Comment(rawValue: shell.errors))
            #expect(try Self.goals(shell, "v") == expected, "\(executor)")
            guard case .results(let results) = shell.session.lookup("v") else { continue }
            let first = try #require(results.trials.first?.metrics.first { $0.metric.name == "first_release" })
            #expect(first.metric.hasValue && first.metric.value == 0.3, "a struct of the first release has no reason to read")
        }
        // Trials that a run stores keep the goals when a second run reads them back.
        #expect(shell.type("e = experiment(tables: ins, generators: [independent(), named(independent(bins: 8), \"coarse\")], validators: goals, seeds: 4, rows: 100)"))
        for _ in 0..<2 {
            #expect(shell.type("r = run(e)"), Comment(rawValue: shell.errors))
            #expect(try Self.goals(shell, "r") == expected)
        }
        #expect(shell.errors.contains("2 of 2 trials are in the store"), Comment(rawValue: shell.errors))
    }

    /// A target outside the metric's range is the validator's error, named.
    @Test func aTargetOutsideTheRangeIsRefused() throws {
        let plugins = try Support.pluginFolder()
        try Support.compileC(Support.fixtures + "/cplugins/goal_validator.c", to: plugins + "/goal_validator.so", defines: ["BAD_TARGET"])
        let shell = try CapturedSession(pluginFolder: plugins)
        #expect(shell.type(#"ins = load("\#(Self.insurance)")"#))
        #expect(!shell.type("validate(ins, ins, validators: goals, seed: 3)"))
        #expect(shell.errors.contains("metric 'near_half' has the goal nearest 2.0, outside its range [0.0, 1.0]"), Comment(rawValue: shell.errors))
    }
}
