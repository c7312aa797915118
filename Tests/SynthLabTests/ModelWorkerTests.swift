import Foundation
import SynthLab
import Testing
@testable import SynthShell

@Suite("fit and sample with the model in a worker process")
struct ModelWorkerTests {
    static let insurance = Support.data("insurance.csv")

    /// Every row and every provenance record: composed with DP-SGD, conditioned, sampled twice
    /// from one model, sampled with a seed of its own, saved and loaded again, and simulated. The same script runs in synthlab
    /// with `--executor workers` and `--executor inprocess` (in the test process the BLAS threads
    /// are shared with other tests, so the in-process run is a synthlab process too).
    @Test func aWorkerGivesTheRowsOfAnInProcessRun() throws {
        let plugins = try Support.pluginFolder()
        var outputs: [[String: String]] = []
        for executor in ["workers", "inprocess"] {
            let folder = Support.temporaryFolder("synthlab-model-worker")
            let script = """
                ins = load("\(Self.insurance)")
                t = fit(tvae(epochs: 2, batch_size: 200) with dp_sgd(epsilon: 3), ins, seed: 11)
                sample(t, rows: 300, to: "t0.csv")
                sample(t, rows: 300, to: "t1.csv")
                sample(t, rows: 50, where: {smoker: "yes"}, to: "t2.csv")
                c = fit(ctgan(epochs: 1, batch_size: 200), ins, seed: 4)
                sample(c, rows: 200, seed: 9, to: "c9.csv")
                save(c, "c.model")
                sample(c, rows: 200, to: "c.csv")
                l = load_model("c.model")
                sample(l, rows: 200, to: "l.csv")
                sample(l, rows: 200, seed: 9, to: "l9.csv")
                g = fit(gaussian_copula(), ins, seed: 8)
                sample(g, rows: 100, to: "g.csv")
                sample(classification(n_features: 6), rows: 100, seed: 3, to: "s.csv")
                """
            try script.write(toFile: folder + "/script.synth", atomically: true, encoding: .utf8)
            let result = try Support.run(Support.executable, [folder + "/script.synth", "--bail", "--executor", executor],
                                         environment: ["SYNTHLAB_PLUGIN_PATH": plugins, "XDG_DATA_HOME": Support.temporaryFolder("synthlab-xdg")])
            #expect(result.status == 0, Comment(rawValue: result.stderr))
            var written: [String: String] = [:]
            for name in ["t0", "t1", "t2", "c9", "c", "l", "l9", "g", "s"] {
                let rows = try String(contentsOfFile: "\(folder)/\(name).csv", encoding: .utf8)
                // The provenance without the time it was written.
                let provenance = try String(contentsOfFile: "\(folder)/\(name).csv.provenance.json", encoding: .utf8)
                    .split(separator: "\n").filter { !$0.contains("\"created\"") }.joined(separator: "\n")
                written[name] = rows + provenance
            }
            outputs.append(written)
        }
        #expect(outputs[0].count == 9)
        for (name, rows) in outputs[0] {
            #expect(rows == outputs[1][name], "\(name)")
        }
        #expect(outputs[0]["t0"]!.contains("\"epsilon\" : 3"), Comment(rawValue: outputs[0]["t0"]!))
        #expect(outputs[0]["t2"]!.contains("smoker=yes"))
        #expect(outputs[0]["c"] == outputs[0]["l"], "the loaded model samples as the one saved")
        // A sample's own seed draws other rows and is recorded; the model keeps its fit seed,
        // which the saved file holds, so its loaded copy draws the same rows under either seed.
        #expect(outputs[0]["c9"] == outputs[0]["l9"])
        #expect(outputs[0]["c9"] != outputs[0]["c"])
        #expect(outputs[0]["c9"]!.contains("\"seed\" : 9"), Comment(rawValue: outputs[0]["c9"]!))
        #expect(outputs[0]["c"]!.contains("\"seed\" : 4"), Comment(rawValue: outputs[0]["c"]!))
    }

    @Test func aGeneratorThatAbortsFailsTheCallNotTheSession() throws {
        let plugins = try Support.pluginFolder()
        try Support.compileC(Support.fixtures + "/cplugins/aborting_generator.c", to: plugins + "/aborting_generator.so")
        let shell = try CapturedSession(pluginFolder: plugins)
        #expect(shell.type(#"ins = load("\#(Self.insurance)")"#))
        #expect(shell.type("g = fit(gaussian_copula(), ins, seed: 1)"))
        #expect(!shell.type("a = fit(aborts_sampling(), ins, seed: 2)"))
        #expect(shell.errors.contains("generator 'aborts_sampling' crashed its worker process in fit (signal 6, SIGABRT: a plugin aborted)"),
                Comment(rawValue: shell.errors))
        #expect(shell.session.lookup("a") == nil, "a failed call binds nothing")
        // Fitted on another seed, it aborts when it samples; the model is gone after that.
        #expect(shell.type("a = fit(aborts_sampling(), ins, seed: 5)"), Comment(rawValue: shell.errors))
        #expect(shell.result(#"save(a, "\#(Support.temporaryFolder())/a.model")"#).contains("generator 'aborts_sampling' cannot save its model"))
        shell.clear()
        #expect(!shell.type("s = sample(a, rows: 10)"))
        #expect(shell.errors.contains("generator 'aborts_sampling' crashed its worker process in sample (signal 6, SIGABRT: a plugin aborted)"),
                Comment(rawValue: shell.errors))
        #expect(shell.result("sample(a, rows: 10)").contains("the model is gone: its worker process crashed (signal 6); fit it again"))
        // Every other model and binding is there, and samples.
        #expect(shell.type("s = sample(g, rows: 10)"), Comment(rawValue: shell.errors))
        #expect(shell.result("s").contains("s: 10 rows × 7 columns"))
    }

    @Test func errorsReadAsInProcess() throws {
        let plugins = try Support.pluginFolder()
        try Support.compileC(Support.fixtures + "/cplugins/aborting_generator.c", to: plugins + "/aborting_generator.so")
        let shell = try CapturedSession(pluginFolder: plugins)
        #expect(shell.type(#"ins = load("\#(Self.insurance)")"#))
        var errors: [String] = []
        for executor in ["workers", "inprocess"] {
            shell.clear()
            #expect(!shell.type(#"fit(aborts_sampling(), ins, seed: 4, executor: "\#(executor)")"#))
            errors.append(String(shell.errors.prefix { $0 != "\n" }))
        }
        #expect(errors[0] == errors[1])
        #expect(errors[0] == "error: aborts_sampling: fit failed: seed 4 is refused", Comment(rawValue: errors[0]))
        #expect(shell.result(#"fit(independent(), ins, executor: "elsewhere")"#)
            .contains("no executor 'elsewhere' for fit (executors: workers, inprocess)"))
        #expect(shell.result(#"load_model("\#(Support.temporaryFolder())/none.model")"#).contains("no model file"))
    }

    /// A fit in a model worker shows its epochs with the time left: the worker times its reports,
    /// from the first epoch on. (The session shows the newest report it has read, so on a busy
    /// machine some epochs pass unseen.)
    @Test func theProgressLineEstimatesTheTimeLeft() throws {
        let shell = try CapturedSession()
        final class Lines: @unchecked Sendable { var all: [String] = [] }
        let lines = Lines()
        var io = shell.session.io
        io.progress = { if let line = $0 { lines.all.append(line) } }
        shell.session.setIO(io)
        #expect(shell.type(#"ins = load("\#(Self.insurance)")"#))
        #expect(shell.type("m = fit(tvae(epochs: 8, batch_size: 200), ins, seed: 1)"), Comment(rawValue: shell.errors))
        let epochs = lines.all.filter { $0.contains("epoch ") }
        let shown = Comment(rawValue: lines.all.joined(separator: "\n"))
        // The first epoch has no pace to go by, the last leaves nothing; those between say the time left.
        let estimated = #/^fitting tvae\(epochs: 8, batch_size: 200\) on ins · about [0-9]+ s left · epoch [2-7]/8 loss=/#
        let plain = #/^fitting tvae\(epochs: 8, batch_size: 200\) on ins · epoch [18]/8 loss=/#
        #expect(epochs.allSatisfy { $0.contains(estimated) || $0.contains(plain) }, shown)
        #expect(epochs.contains { $0.contains(estimated) }, shown)
    }

    @Test func cancellingStopsTheFit() throws {
        let shell = try CapturedSession()
        #expect(shell.type(#"ins = load("\#(Self.insurance)")"#))
        shell.session.cancellationRequested = { true }
        #expect(!shell.type("m = fit(ctgan(epochs: 300), ins, seed: 1)"))
        #expect(shell.errors.contains("cancelled (Ctrl-C); every binding is kept"), Comment(rawValue: shell.errors))
        #expect(shell.session.lookup("m") == nil)
    }

    /// A worker killed from outside while idle: the next call on its model says so, and the session goes on.
    @Test func aKilledWorkerFailsTheNextCall() throws {
        let shell = try CapturedSession()
        #expect(shell.type(#"ins = load("\#(Self.insurance)")"#))
        #expect(shell.type("m = fit(independent(), ins, seed: 1)"))
        guard case .model(let model) = shell.session.lookup("m"), case .worker(let worker) = model.home else {
            Issue.record("m is not a model held by a worker")
            return
        }
        kill(worker.processID, SIGKILL)
        #expect(!shell.type("s = sample(m, rows: 5)"))
        #expect(shell.errors.contains("generator 'independent' crashed its worker process in sample (signal 9, SIGKILL)"),
                Comment(rawValue: shell.errors))
        #expect(shell.result("sample(m, rows: 5)").contains("the model is gone: its worker process crashed (signal 9); fit it again"))
        #expect(shell.type("s = sample(fit(independent(), ins, seed: 1), rows: 5)"), Comment(rawValue: shell.errors))
    }

    /// A model's worker lives as long as a name is bound to the model.
    @Test func aWorkerEndsWithItsModel() throws {
        let shell = try CapturedSession()
        #expect(shell.type(#"ins = load("\#(Self.insurance)")"#))
        #expect(shell.type("m = fit(independent(), ins, seed: 1)"))
        // No reference to the model outlives this lookup, so rebinding m releases it.
        func workerOfM() -> pid_t? {
            guard case .model(let model) = shell.session.lookup("m"), case .worker(let worker) = model.home else { return nil }
            return worker.processID
        }
        let pid = try #require(workerOfM(), "m is a model held by a worker")
        #expect(kill(pid, 0) == 0, "the worker runs")
        #expect(shell.type("n = m"))
        #expect(shell.type(".drop m"))
        #expect(kill(pid, 0) == 0, "n still holds the model")
        #expect(shell.result(".drop n x").contains("nothing is bound to 'x'"))
        #expect(kill(pid, 0) == 0, "a .drop with an unknown name drops nothing")
        #expect(shell.type(".drop n"))
        #expect(kill(pid, 0) == -1 && errno == ESRCH, "the worker ended and was reaped")
        #expect(shell.session.lookup("n") == nil && !shell.session.boundNames.contains("m"))
    }
}
