import Foundation
import Testing

/// The REPL in a real terminal: tmux runs `synthlab`, `send-keys` types, `capture-pane` reads
/// the screen.
final class Terminal {
    let socket = "synthlab-test-\(UUID().uuidString.prefix(8))"
    let state: String

    /// Starts `synthlab` with `arguments` (none: the REPL) and waits for `ready` on the screen.
    init(state: String? = nil, pluginFolder: String, environment extra: [String] = [], arguments: [String] = [],
         ready: String? = "synthlab> ", columns: Int = 150) throws {
        self.state = state ?? Support.temporaryFolder("synthlab-state")
        let environment = [
            "XDG_STATE_HOME=\(self.state)", "XDG_DATA_HOME=\(Support.temporaryFolder("synthlab-xdg"))",
            "SYNTHLAB_PLUGIN_PATH=\(pluginFolder)", "LANG=C.UTF-8", "TERM=xterm",
        ] + extra
        let command = "env " + environment.map { "'\($0)'" }.joined(separator: " ") + " '\(Support.executable)'"
            + arguments.map { " '\($0)'" }.joined()
        // The tmux server outlives this call: it must not inherit any descriptor of this process
        // (a pipe of another test's child would then never reach end-of-file), so bash closes
        // every descriptor above 2 before it starts tmux.
        let quoted = command.replacingOccurrences(of: "'", with: "'\\''")
        let script = #"for fd in $(ls /proc/$$/fd); do [ "$fd" -gt 2 ] && eval "exec $fd>&-"; done 2>/dev/null; "#
            + "exec tmux -L \(socket) -f /dev/null new-session -d -x \(columns) -y 50 '\(quoted)'"
        // Nor may it inherit this thread's blocked signals (a test runner's worker thread blocks
        // most of them): tmux ends its server with SIGTERM to itself and hangs up its panes with
        // SIGHUP, and with those blocked, `kill-server` would leave both running.
        var unblock = sigset_t()
        sigemptyset(&unblock)
        for signal in [SIGHUP, SIGTERM, SIGINT, SIGCHLD] { sigaddset(&unblock, signal) }
        pthread_sigmask(SIG_UNBLOCK, &unblock, nil)
        let started = try Support.run("/bin/bash", ["-c", script])
        guard started.status == 0 else { throw SupportError("tmux new-session failed (is tmux installed?): \(started.stderr)") }
        if let ready { try waitFor(ready) }
    }

    deinit { _ = try? tmux(["kill-server"]) }

    /// Keeps the screen after the REPL's process has ended (it would go with the pane).
    func keepScreenAfterExit() throws { try tmux(["set-option", "-g", "remain-on-exit", "on"]) }

    @discardableResult
    func tmux(_ arguments: [String]) throws -> String {
        let result = try Support.run("/usr/bin/env", ["tmux", "-L", socket, "-f", "/dev/null"] + arguments)
        guard result.status == 0 else { throw SupportError("tmux \(arguments.joined(separator: " ")) failed: \(result.stderr)") }
        return result.stdout
    }

    /// Types text literally (no key names).
    func type(_ text: String) throws { try tmux(["send-keys", "-l", text]) }
    /// Types a line and presses Enter once the line shows it (for 5 s at most): so that a
    /// `waitForPrompt()` after it cannot take the prompt the line was typed at, still bare while
    /// the keys were on their way, for the one after the line's output.
    func enter(_ text: String) throws {
        try type(text)
        let typed = text.trimmingCharacters(in: .whitespaces)
        if !typed.isEmpty { try? waitFor(5) { _ in self.currentLine.trimmingCharacters(in: .whitespaces).hasSuffix(typed) } }
        try press("Enter")
    }

    /// Presses keys by name: Tab, Enter, Up, C-c, C-d, C-r.
    func press(_ keys: String...) throws { try tmux(["send-keys"] + keys) }

    var screen: String { (try? tmux(["capture-pane", "-p", "-J"])) ?? "" }

    /// The screen with the lines scrolled off above it.
    var scrollback: String { (try? tmux(["capture-pane", "-p", "-J", "-S", "-"])) ?? "" }

    /// The last line of the screen that is not blank: where the cursor's line is.
    var currentLine: String {
        screen.split(separator: "\n").last { !$0.trimmingCharacters(in: .whitespaces).isEmpty }.map(String.init) ?? ""
    }

    /// Waits until `condition` holds on the screen (up to `seconds`).
    func waitFor(_ seconds: Double = 30, _ condition: (String) -> Bool) throws {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            if condition(screen) { return }
            Thread.sleep(forTimeInterval: 0.1)
        }
        throw SupportError("timed out; the screen shows:\n\(screen)")
    }

    func waitFor(_ text: String, seconds: Double = 30) throws { try waitFor(seconds) { $0.contains(text) } }

    func waitForLine(_ text: String, seconds: Double = 30) throws {
        try waitFor(seconds) { _ in self.currentLine.contains(text) }
    }

    /// Waits until the cursor's line is a bare prompt: the last command's output is all on screen
    /// and keys typed now go to a fresh line.
    func waitForPrompt(seconds: Double = 30) throws {
        try waitFor(seconds) { _ in self.currentLine.trimmingCharacters(in: .whitespaces) == "synthlab>" }
    }
}

@Suite("REPL in a real terminal (tmux)", .serialized)
struct TerminalTests {
    let insurance = Support.data("insurance.csv")

    /// A hangup ends the REPL, and with it the tmux server: nothing outlives a test.
    @Test func killingTheServerEndsTheREPL() throws {
        var terminal: Terminal? = try Terminal(pluginFolder: try Support.pluginFolder())
        let socket = terminal!.socket
        terminal = nil
        let deadline = Date().addingTimeInterval(10)
        var alive = true
        while alive, Date() < deadline {
            alive = try Support.run("/usr/bin/env", ["tmux", "-L", socket, "-f", "/dev/null", "list-sessions"]).status == 0
            if alive { Thread.sleep(forTimeInterval: 0.1) }
        }
        #expect(!alive, "the tmux server \(socket) still runs after kill-server")
    }

    @Test func tabCompletesCommandsPluginIdsAndParameters() throws {
        let terminal = try Terminal(pluginFolder: try Support.pluginFolder())
        try terminal.type(".plu")
        try terminal.press("Tab")
        try terminal.waitForLine("synthlab> .plugins")
        try terminal.press("Enter")
        try terminal.waitFor("| bayesian_network | generator |")
        // Keys typed while the table is still printing would be echoed before the next prompt.
        try terminal.waitForPrompt()

        try terminal.type("g = indep")
        try terminal.press("Tab")
        try terminal.waitForLine("synthlab> g = independent(")
        try terminal.type("bi")
        try terminal.press("Tab")
        try terminal.waitForLine("synthlab> g = independent(bins: ")
        try terminal.enter("7)")
        try terminal.enter("g")
        try terminal.waitFor("independent(numeric_model: \"empirical\", bins: 7, keep_missing: true, bounds: \"\", categories: \"\")")
    }

    @Test func historyIsRecalledInANewProcess() throws {
        let plugins = try Support.pluginFolder()
        let first = try Terminal(pluginFolder: plugins)
        try first.enter("\"remembered\"")
        try first.enter("other = 4")
        try first.press("C-d")
        try first.waitFor { _ in FileManager.default.fileExists(atPath: first.state + "/synthlab/history") }

        let second = try Terminal(state: first.state, pluginFolder: plugins)
        try second.press("Up")
        try second.waitForLine("synthlab> other = 4")
        try second.press("Up")
        try second.waitForLine("synthlab> \"remembered\"")
        try second.press("Enter")
        try second.waitFor("\"remembered\"\nsynthlab>")
        // Ctrl-R searches the history from a fresh prompt.
        try second.press("C-r")
        try second.type("othe")
        try second.waitFor("synthlab> other = 4\nbck:othe")
        try second.press("Enter")
        try second.enter(".names")
        try second.waitFor("| other | an integer | 4     |")
    }

    @Test func ctrlCCancelsTheRunAndKeepsTheBindings() throws {
        let terminal = try Terminal(pluginFolder: try Support.pluginFolder())
        try terminal.enter(#"ins = load("\#(insurance)")"#)
        try terminal.enter("r = run(experiment(tables: ins, generators: independent(), seeds: range(1, 100000)))")
        try terminal.waitFor("· seed 3")
        try terminal.press("C-c")
        try terminal.waitFor("cancelled (Ctrl-C)")
        try terminal.waitForPrompt()
        try terminal.enter("ins")
        try terminal.waitFor("ins: 1338 rows × 7 columns")
        // Ctrl-C at the prompt abandons the line and stays in the REPL.
        try terminal.type("abandoned = 1")
        try terminal.press("C-c")
        try terminal.waitForPrompt()
        try terminal.enter(".names")
        try terminal.waitFor("| ins  | a table |")
        #expect(!terminal.screen.contains("| abandoned"))
        #expect(!terminal.screen.contains("| r "), "a cancelled run binds nothing")
    }

    @Test func theProgressLineShowsWorkersEpochsAndTheTimeLeft() throws {
        let terminal = try Terminal(pluginFolder: try Support.pluginFolder())
        try terminal.enter(".workspace \(Support.temporaryFolder("synthlab-workspace"))")
        try terminal.enter(#"ins = load("\#(insurance)")"#)
        try terminal.enter("r = run(experiment(tables: ins, generators: tvae(epochs: 60), seeds: [1, 2, 3], validators: quality), workers: 1)")
        // A worker's epoch and losses, under the bar, the trials done and the time left: the run's
        // after the first trial, the trial's from its second epoch.
        try terminal.waitFor { screen in screen.contains("1/3 · eta ") && screen.range(of: #"seed \d: about [0-9a-z ]+ left · epoch \d+/60 loss="#, options: .regularExpression) != nil }
        try terminal.press("C-c")
        try terminal.waitFor("cancelled (Ctrl-C)")
    }

    /// `synthlab synth` on a terminal keeps one status line with the epoch and the time left, and
    /// erases it before it reports what it wrote.
    @Test func theCommandLineShowsItsProgressOnAStatusLine() throws {
        let out = Support.temporaryFolder("synthlab-status") + "/rows.csv"
        let terminal = try Terminal(pluginFolder: try Support.pluginFolder(), arguments: [
            "synth", "--generator", "tvae", "--param", "epochs=6", "--data", Support.data("adult.csv"), "--rows", "50", "--seed", "1",
            "--out", out,
        ], ready: nil)
        try terminal.keepScreenAfterExit()
        try terminal.waitFor(120) { $0.range(of: #"(?m)^about [0-9a-z ]+ left · epoch [2-5]/6 loss="#, options: .regularExpression) != nil }
        // The scrollback too: tmux may still settle the pane's size after the command starts, which
        // can scroll the first lines out of the screen.
        try terminal.waitFor(120) { _ in terminal.scrollback.contains("wrote 50 rows") }
        let all = terminal.scrollback
        let lines = all.split(separator: "\n").map(String.init)
        #expect(lines.contains { $0.hasPrefix("wrote 50 rows × 15 columns to ") }, Comment(rawValue: all))
        #expect(!all.contains("left ·") && !all.contains("epoch "), "the status line is gone: \(all)")
    }

    /// `fit` shows the plugin's epochs, in a worker or in the session's process; Ctrl-C stops that
    /// fit and nothing else: the model fitted before it, in a worker of its own, still samples.
    @Test(arguments: ["workers", "inprocess"])
    func ctrlCStopsAFitAndSparesTheOtherModels(executor: String) throws {
        // 90 columns: the progress line is cut to fit, and the "^C" the terminal echoes must not
        // wrap under it, or the erased line would be the wrong one and the progress would stay.
        let terminal = try Terminal(pluginFolder: try Support.pluginFolder(), columns: 90)
        try terminal.enter(#"ins = load("\#(insurance)")"#)
        try terminal.enter("g = fit(gaussian_copula(), ins, seed: 1)")
        try terminal.enter(#"t = fit(tvae(epochs: 5000), ins, seed: 2, executor: "\#(executor)")"#)
        try terminal.waitFor { screen in screen.range(of: #"fitting tvae\(epochs: 5000\) on ins · (about [0-9a-z ]+ left · )?epoch \d+/5000 loss="#, options: .regularExpression) != nil }
        try terminal.press("C-c")
        try terminal.waitFor("cancelled (Ctrl-C); every binding is kept")
        try terminal.waitForPrompt()
        #expect(!terminal.screen.contains("fitting tvae"), "the progress line is erased: \(terminal.screen)")
        try terminal.enter("s = sample(g, rows: 7)")
        try terminal.enter("s")
        try terminal.waitFor("s: 7 rows × 7 columns")
        try terminal.enter("t")
        try terminal.waitFor("nothing is bound to 't'")
    }

    /// A plugin's warning printed while the progress line is up erases it first and starts a line
    /// of its own, instead of running on after the epoch's losses.
    @Test func aWarningDuringAFitStartsALineOfItsOwn() throws {
        let terminal = try Terminal(pluginFolder: try Support.pluginFolder(), columns: 300)
        try terminal.enter(#"ins = load("\#(insurance)")"#)
        try terminal.enter("m = fit(tvae(epochs: 3) with dp_sgd(epsilon: 2), ins, seed: 1)")
        try terminal.waitFor(120) { _ in terminal.scrollback.contains("give categories: to set them") }
        try terminal.waitForPrompt()
        let all = terminal.scrollback
        let lines = all.split(separator: "\n").map(String.init)
        #expect(lines.contains { $0.hasPrefix("[warning] tvae: the range of age, bmi, children, charges is taken from the data") }, Comment(rawValue: all))
        #expect(lines.contains { $0.hasPrefix("[warning] tvae: the categories of sex, smoker, region are taken from the data") }, Comment(rawValue: all))
        #expect(!all.contains("loss=") && !all.contains("fitting tvae"), "the progress line is gone: \(all)")
    }

    /// Results wider than the terminal fold into blocks of columns that fit it, each led by the
    /// table and generator; a file that `.once` writes keeps the table whole.
    @Test func wideResultsFoldToTheTerminalsWidth() throws {
        let terminal = try Terminal(pluginFolder: try Support.pluginFolder(), columns: 100)
        let file = Support.temporaryFolder() + "/results.txt"
        try terminal.enter(#"ins = load("\#(insurance)")"#)
        try terminal.waitForPrompt()
        try terminal.enter("r = run(experiment(tables: ins, generators: [independent(), gaussian_copula()], seeds: [1, 2], rows: 200, validators: [fidelity, quality]), executor: \"inprocess\")")
        try terminal.waitForPrompt(seconds: 120)
        try terminal.enter("r")
        try terminal.waitForPrompt()
        try terminal.enter(".once \(file)")
        try terminal.enter("r")
        try terminal.waitForPrompt()
        let screen = terminal.scrollback
        let lines = screen.split(separator: "\n").map(String.init)
        // capture-pane -J joins a wrapped line: none of the output is wider than the terminal.
        #expect(lines.filter { !$0.contains("synthlab>") }.allSatisfy { $0.count <= 100 }, Comment(rawValue: screen))
        let headers = lines.filter { $0.hasPrefix("| table | generator ") }
        #expect(headers.count > 2, Comment(rawValue: screen))
        #expect(lines.contains { $0.hasPrefix("| ins   | gaussian_copula ") && $0.contains(" ± ") }, Comment(rawValue: screen))
        let whole = try String(contentsOfFile: file, encoding: .utf8)
        #expect(whole.split(separator: "\n").filter { $0.hasPrefix("| table") }.count == 1, Comment(rawValue: whole))
        #expect(whole.split(separator: "\n").contains { $0.count > 100 })
    }

    @Test func nonASCIITextSurvivesTheLineEditor() throws {
        let terminal = try Terminal(pluginFolder: try Support.pluginFolder())
        try terminal.enter("note = \"Zürich · 東京 · ε ≤ 1 ✓\"")
        try terminal.enter("note")
        try terminal.waitFor("\"Zürich · 東京 · ε ≤ 1 ✓\"\nsynthlab>")
    }

    /// A plugin that aborts the process takes the session down; the next session offers its
    /// statements back, and `.restore` binds them again.
    @Test func aCrashedSessionIsRestoredInTheNext() throws {
        let plugins = try Support.pluginFolder()
        try Support.compileC(Support.fixtures + "/cplugins/aborting_validator.c", to: plugins + "/aborting_validator.so")
        // The Swift runtime's backtrace, without its prompt to interact.
        let quiet = ["SWIFT_BACKTRACE=interactive=no"]
        let first = try Terminal(pluginFolder: plugins, environment: quiet)
        try first.keepScreenAfterExit()
        try first.enter(#"ins = load("\#(insurance)")"#)
        try first.enter("g = independent(bins: 5)")
        try first.enter("oops = nothing")
        try first.enter(".mode markdown")
        // In the session's process: validate's default worker process would keep the session alive.
        try first.enter("validate(ins, ins, validators: aborts_on_seed(), seed: 2, executor: \"inprocess\")")
        // The runtime's backtrace follows the note and may scroll it off the screen.
        let note = "synthlab: the session crashed (signal 6) while running:\n  validate(ins, ins, validators: aborts_on_seed(), seed: 2, executor: \"inprocess\")\n"
            + "The statements that finished before it are kept: start synthlab again and type .restore to replay them."
        try first.waitFor { _ in first.scrollback.contains(note) }
        let sessions = first.state + "/synthlab/sessions"
        let left = try FileManager.default.contentsOfDirectory(atPath: sessions).filter { $0.hasSuffix(".synth") }
        #expect(left.count == 1)

        let second = try Terminal(state: first.state, pluginFolder: plugins, environment: quiet)
        try second.waitFor("A session ended without .quit (started ")
        #expect(second.screen.contains(", 2 statements).\n.restore replays its statements; .restore forget drops it."))
        try second.enter(".restore")
        try second.waitFor("restored 2 statements")
        try second.waitForPrompt()
        try second.enter(".names")
        // The markdown mode came back with the statements; the failed one did not.
        try second.waitFor(#"| g    | a generator configuration (independent) | independent(numeric_model: "empirical", bins: 5, keep_missing: true, bounds: "", categories: "") |"#)
        #expect(second.screen.contains("| ins  | a table "))
        #expect(!second.screen.contains("| oops"))
        #expect(!FileManager.default.fileExists(atPath: sessions + "/" + left[0]), "a restored journal is deleted")
        // Ctrl-D ends the session as it should: no journal stays behind. (Pressed before the line
        // editor reads again, the key could be lost when it sets up the terminal.)
        try second.waitForPrompt()
        try second.press("C-d")
        try second.waitFor { _ in
            ((try? FileManager.default.contentsOfDirectory(atPath: sessions)) ?? ["?"]).isEmpty
        }
    }

    @Test func aSessionRecordedAtThePromptReplaysToTheSameResults() throws {
        let folder = Support.temporaryFolder()
        let terminal = try Terminal(pluginFolder: try Support.pluginFolder())
        for line in [
            ".record \(folder)/typed.synth",
            "ins = load(\"\(insurance)\", target: \"charges\")",
            "e = experiment(tables: ins, generators: [independent(), independent(bins: 4) with laplace(epsilon: [1, 3])], rows: 300)",
            "r = run(e)",
            "export(r, \"\(folder)/results.csv\")",
            ".record off",
        ] {
            try terminal.enter(line)
        }
        try terminal.waitFor("recording stopped")
        let typed = try String(contentsOfFile: folder + "/results.csv", encoding: .utf8)
        try FileManager.default.moveItem(atPath: folder + "/results.csv", toPath: folder + "/typed-results.csv")

        let replay = try Support.run(Support.executable, [folder + "/typed.synth", "--bail"],
                                     environment: ["SYNTHLAB_PLUGIN_PATH": try Support.pluginFolder(),
                                                   "XDG_DATA_HOME": Support.temporaryFolder("synthlab-xdg")])
        #expect(replay.status == 0, Comment(rawValue: replay.stderr))
        let replayed = try String(contentsOfFile: folder + "/results.csv", encoding: .utf8)
        #expect(replayed == typed, "identical result tables")
        #expect(typed.split(separator: "\n").count == 4, Comment(rawValue: typed))
    }
}
