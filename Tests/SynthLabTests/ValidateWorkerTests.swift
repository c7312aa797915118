import Foundation
import Testing
@testable import SynthShell

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
