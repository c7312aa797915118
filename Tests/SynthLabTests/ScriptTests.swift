import Foundation
import Testing
@testable import SynthShell
import SynthMath

@Suite("Scripts: replay from a file, -c, piped stdin, --bail, recording, notebooks")
struct ScriptTests {
    let insurance = Support.data("insurance.csv")

    /// `synthlab ARGS` with the built-in plugins, optionally with `input` on stdin.
    func synthlab(_ arguments: [String], input: String? = nil, in directory: String? = nil) throws -> Support.Output {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: Support.executable)
        process.arguments = arguments
        var environment = ProcessEnvironment.current
        environment["XDG_DATA_HOME"] = Support.temporaryFolder("synthlab-xdg")
        environment["SYNTHLAB_PLUGIN_PATH"] = try Support.pluginFolder()
        process.environment = environment
        if let directory { process.currentDirectoryURL = URL(fileURLWithPath: directory) }
        let out = Pipe(), err = Pipe(), inp = Pipe()
        process.standardOutput = out
        process.standardError = err
        process.standardInput = inp
        try ProcessEnvironment.withLock { try process.run() }
        if let input { inp.fileHandleForWriting.write(Data(input.utf8)) }
        try inp.fileHandleForWriting.close()
        let outData = out.fileHandleForReading.readDataToEndOfFile()
        let errData = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return Support.Output(status: process.terminationStatus, stdout: String(decoding: outData, as: UTF8.self),
                              stderr: String(decoding: errData, as: UTF8.self))
    }

    @Test func bailStopsAtTheFirstErrorWithItsPlace() throws {
        let folder = Support.temporaryFolder()
        let script = folder + "/broken.synth"
        try """
            ins = load("\(insurance)")
            g = independent(bins: 8, keep_mising: false)
            save(ins, "\(folder)/line3.csv")
            m = fit(g, ins)
            """.write(toFile: script, atomically: true, encoding: .utf8)
        let result = try synthlab([script, "--bail"])
        #expect(result.status != 0)
        #expect(result.stderr.contains("\(script):2:26: error: 'independent' has no parameter 'keep_mising' (did you mean `keep_missing`?)"),
                Comment(rawValue: result.stderr))
        #expect(!FileManager.default.fileExists(atPath: folder + "/line3.csv"), "line 3 did not run")

        // Without --bail the script goes on, and the exit status still says something failed.
        let goOn = try synthlab([script])
        #expect(goOn.status != 0)
        #expect(FileManager.default.fileExists(atPath: folder + "/line3.csv"))
        // A name whose statement failed is named with the place of that statement.
        #expect(goOn.stderr.contains("\(script):4:9: error: nothing is bound to 'g': the statement that binds it failed (\(script):2)"),
                Comment(rawValue: goOn.stderr))
    }

    @Test func runsStatementsFromDashCAndFromAPipeWithoutEscapeCodes() throws {
        let viaC = try synthlab(["-c", #"ins = load("\#(insurance)"); ins; .mode csv; schema(ins)"#])
        #expect(viaC.status == 0, Comment(rawValue: viaC.stderr))
        #expect(viaC.stdout.hasPrefix("ins: 1338 rows × 7 columns"))
        #expect(viaC.stdout.contains("column,kind,missing,role\nage,integer,0,\n"))
        // -c again adds a line; an error names the -c it is in.
        let twice = try synthlab(["-c", "x = 2", "-c", "x", "-c", "y", "--bail"])
        #expect(twice.status == 1 && twice.stdout == "2\n", Comment(rawValue: twice.stdout))
        #expect(twice.stderr.contains("-c:3:1: error: nothing is bound to 'y'"), Comment(rawValue: twice.stderr))

        let piped = try synthlab([], input: """
            ins = load("\(insurance)")
            e = experiment(tables: ins,
                           generators: independent(),
                           seeds: [4], rows: 100)
            r = run(e)
            .mode json
            r
            nope
            """)
        #expect(piped.status != 0, "an error in piped input sets the exit status")
        #expect(piped.stdout.contains(#""table": "ins", "generator": "independent", "seeds": 1"#), Comment(rawValue: piped.stdout + piped.stderr))
        #expect(piped.stderr.contains("<stdin>:8:1: error: nothing is bound to 'nope'"))
        #expect(!(piped.stdout + piped.stderr).contains("\u{1B}"), "no escape codes without a terminal")
        #expect(!piped.stdout.contains("synthlab>"), "no prompt without a terminal")
    }

    @Test func aRecordedSessionReplaysToTheSameResults() throws {
        let folder = Support.temporaryFolder()
        let shell = try CapturedSession(seed: 11)
        let session = """
            .record \(folder)/session.synth
            .mode csv
            ins = load("\(insurance)", target: "charges")
            gens = [independent(), independent(bins: 8)] with laplace(epsilon: [1, 5])
            e = experiment(tables: ins, generators: gens, rows: 200)
            r = run(e)
            r
            details(r)
            m = fit(independent(numeric_model: "histogram"), ins)
            s = sample(m, rows: 40)
            validate(ins, s, validators: column_shapes)
            this is not valid
            .record off
            """
        for line in session.split(separator: "\n") { shell.type(String(line), folder: folder) }
        #expect(shell.errors.contains("error: expected the end of the statement"))
        let recorded = try String(contentsOfFile: folder + "/session.synth", encoding: .utf8)
        #expect(recorded.contains("seeds: ["), "drawn seeds are written down")
        #expect(recorded.contains("fit(independent(numeric_model: \"histogram\", bins: 32, keep_missing: true, bounds: \"\", categories: \"\"), ins, seed: "))
        #expect(recorded.contains("laplace(epsilon: [1, 5])"))
        #expect(!recorded.contains("this is not valid"), "only successful statements are recorded")

        let replay = try synthlab([folder + "/session.synth", "--bail"])
        #expect(replay.status == 0, Comment(rawValue: replay.stderr))
        #expect(replay.stdout == shell.output, "identical result tables")
        #expect(shell.output.contains("ins,independent(bins: 8) with laplace(epsilon: 5.0),1,5.0,0.0,"))

        // A file moved elsewhere with its recording still finds the data by the same relative path.
        #expect(recorded.contains("load(\"\(relativePath(insurance, from: folder))\", target: \"charges\")"))
    }

    /// Paths are read as written: `.` and `..` are folded, no link is followed (/dev/stdout stays
    /// itself, whatever standard output leads to).
    @Test func pathsAreFoldedAsWritten() {
        #expect(lexicalPath("/a/./b/../c//d/") == "/a/c/d")
        #expect(lexicalPath("/../x") == "/x")
        #expect(lexicalPath("a/../../b") == "../b")
        #expect(lexicalPath("./") == ".")
        #expect(lexicalPath("/dev/stdout") == "/dev/stdout")
        #expect(relativePath("/dev/stdout", from: "/dev") == "stdout")
        #expect(relativePath("/w/data/x.csv", from: "/w/notebooks/../notebooks") == "../data/x.csv")
    }

    @Test func readRunsAScriptInsideTheSession() throws {
        let folder = Support.temporaryFolder()
        try "ins = load(\"\(insurance)\")\ng = independent(bins: 4)\n".write(toFile: folder + "/setup.synth", atomically: true, encoding: .utf8)
        try "x = 1\ny = nope\nz = 2\n".write(toFile: folder + "/broken.synth", atomically: true, encoding: .utf8)
        try ".read loop.synth\n".write(toFile: folder + "/loop.synth", atomically: true, encoding: .utf8)
        let shell = try CapturedSession()
        #expect(shell.type(".read setup.synth", folder: folder), Comment(rawValue: shell.errors))
        #expect(shell.session.boundNames == ["ins", "g"])
        #expect(!shell.type(".read broken.synth", folder: folder))
        #expect(shell.errors.contains("broken.synth:2:5: error: nothing is bound to 'nope'"))
        #expect(shell.session.boundNames == ["ins", "g", "x"], "z = 2 after the error did not run")
        #expect(!shell.type(".read loop.synth", folder: folder))
        #expect(shell.errors.contains("would read itself again"))
        #expect(!shell.type(".read missing.synth", folder: folder))
        #expect(shell.errors.contains("(no such file)"))
        try FileManager.default.createDirectory(atPath: folder + "/notes.synth", withIntermediateDirectories: true)
        #expect(!shell.type(".read notes.synth", folder: folder))
        #expect(shell.errors.contains("cannot read \(folder)/notes.synth (it is a folder)"), Comment(rawValue: shell.errors))
        try Data([0x61, 0x20, 0x3D, 0x20, 0xFF, 0x0A]).write(to: URL(fileURLWithPath: folder + "/latin.synth"))
        #expect(!shell.type(".read latin.synth", folder: folder))
        #expect(shell.errors.contains("cannot read \(folder)/latin.synth (not UTF-8 text)"), Comment(rawValue: shell.errors))
    }

    @Test func everyNotebookReplays() throws {
        let folder = Support.repositoryRoot + "/notebooks"
        let notebooks = try FileManager.default.contentsOfDirectory(atPath: folder).filter { $0.hasSuffix(".synth") }.sorted()
        #expect(notebooks.contains("01-quickstart.synth"))
        for notebook in notebooks {
            let result = try synthlab([folder + "/" + notebook, "--bail"])
            #expect(result.status == 0, "\(notebook): \(result.stderr)")
            #expect(!result.stdout.isEmpty)
        }
    }
}
