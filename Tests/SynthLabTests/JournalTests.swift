import Foundation
import Testing
@testable import SynthShell

@Suite("Session journals and .restore")
struct JournalTests {
    let insurance = Support.data("insurance.csv")

    /// A session with a journal in `folder`, as the REPL starts one.
    func journaled(_ folder: String) throws -> CapturedSession {
        let shell = try CapturedSession()
        shell.session.journalFolder = folder
        shell.session.journal = try SessionJournal(folder: folder, workingFolder: "/")
        return shell
    }

    /// What a crash does to a journal: its lock goes with the process, the file stays.
    func crash(_ shell: CapturedSession) throws {
        try shell.session.journal?.recorder.handle.close()
        shell.session.journal = nil
    }

    func synthFiles(_ folder: String) -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []).filter { $0.hasSuffix(".synth") }
    }

    @Test func aJournalKeepsWhatSucceededAndRestoreReplaysIt() throws {
        let folder = Support.temporaryFolder("synthlab-journals")
        let workspace = Support.temporaryFolder("synthlab-workspace")
        let first = try journaled(folder)
        #expect(first.type(#"ins = load("\#(insurance)")"#))
        #expect(first.type("g = independent(bins: 5)"))
        #expect(!first.type("oops = nothing"))
        #expect(first.type(".mode csv"))
        #expect(first.type(".workspace \(workspace)"))
        #expect(first.type("s = sample(fit(g, ins), rows: 6)"))
        let rows = first.result("head(s, rows: 6)")
        #expect(rows.split(separator: "\n").count == 7, Comment(rawValue: rows))
        // A running session's journal is not offered to others.
        #expect(SessionJournal.unfinished(in: folder).isEmpty)
        let journal = try String(contentsOfFile: first.session.journal!.path, encoding: .utf8)
        #expect(journal.contains("g = independent(numeric_model: \"empirical\", bins: 5, keep_missing: true, bounds: \"\", categories: \"\")\n.mode csv\n.workspace \"\(workspace)\"\n"))
        #expect(journal.contains(#"s = sample(fit(g, ins, seed: "#), "the drawn seed is written out")
        #expect(!journal.contains("oops"))
        try crash(first)

        let unfinished = SessionJournal.unfinished(in: folder)
        #expect(unfinished.count == 1)
        #expect(unfinished.first?.statements == 4, "the three bindings, and the table shown")
        #expect(unfinished.first?.process == Int(getpid()))

        let second = try journaled(folder)
        #expect(second.type(".restore"), Comment(rawValue: second.errors))
        #expect(second.errors.contains("restoring the session started "))
        #expect(second.errors.contains("restored 4 statements"))
        #expect(second.session.mode == .csv)
        #expect(second.session.workspace == workspace)
        #expect(second.result("head(s, rows: 6)") == rows, "the same rows: the seed came back with the statement")
        #expect(synthFiles(folder) == [(second.session.journal!.path as NSString).lastPathComponent],
                "the restored journal is gone; the new session's own holds the replayed statements")
        let replayed = try String(contentsOfFile: second.session.journal!.path, encoding: .utf8)
        #expect(replayed.contains(#"s = sample(fit(g, ins, seed: "#))
        second.session.finish()
        #expect(synthFiles(folder).isEmpty, "a session that ends as it should leaves no journal")
    }

    @Test func restoreErrorsNameTheProblemAndKeepTheJournal() throws {
        let folder = Support.temporaryFolder("synthlab-journals")
        let shell = try journaled(folder)
        #expect(shell.result(".restore").contains("no session ended without .quit: nothing to restore"))
        #expect(shell.result(".restore forget").contains("nothing to forget"))
        #expect(shell.result(".restore a b").contains(".restore takes one argument, got 2: .restore [FILE|forget]"))

        // A session whose table has gone since: the replay stops there and the journal stays.
        let data = Support.temporaryFolder("synthlab-data") + "/ins.csv"
        try FileManager.default.copyItem(atPath: insurance, toPath: data)
        let crashed = try journaled(folder)
        #expect(crashed.type("n = 3"))
        #expect(crashed.type(#"ins = load("\#(data)")"#))
        let path = crashed.session.journal!.path
        try crash(crashed)
        try FileManager.default.removeItem(atPath: data)

        let name = (path as NSString).lastPathComponent
        // Tab offers the journals to restore, and forget.
        #expect(Completer(session: shell.session).complete(".restore ").candidates == [name, "forget"])
        #expect(Completer(session: shell.session).complete(".restore f").insert == "orget")
        #expect(shell.result(".restore other.synth").contains("'other.synth' is not the journal of a session that ended without .quit (those are: \(name)); .read runs any script"))
        let failed = shell.result(".restore \(name)")
        #expect(failed.contains("no file \(data)"), Comment(rawValue: failed))
        #expect(failed.contains(".restore stopped at the journal's first error; the journal stays: \(path)"))
        #expect(FileManager.default.fileExists(atPath: path))
        #expect(shell.session.lookup("n") != nil, "the statements before the failure are bound")

        // A journal being restored elsewhere is not taken twice. (A process another test starts
        // holds a copy of the lock's descriptor from its fork to its exec: wait that moment out.)
        var taken: JournalLock?
        for _ in 0..<100 where taken == nil {
            taken = JournalLock(path: path)
            if taken == nil { Thread.sleep(forTimeInterval: 0.02) }
        }
        let held = try #require(taken)
        #expect(shell.result(".restore").contains("nothing to restore"))
        held.release()

        #expect(shell.result(".restore forget").contains("forgot 1 unfinished session"))
        #expect(!FileManager.default.fileExists(atPath: path))
    }

    @Test func journalsWithoutStatementsAndHalfMadeOnesAreCleanedUp() throws {
        let folder = Support.temporaryFolder("synthlab-journals")
        let empty = try journaled(folder)
        #expect(empty.type(".mode csv"), "a shell command is not a statement to restore")
        let path = empty.session.journal!.path
        try crash(empty)
        let partial = folder + "/20260101-000000-1.synth.partial"
        #expect(FileManager.default.createFile(atPath: partial, contents: Data()))
        try FileManager.default.setAttributes([.modificationDate: Date(timeIntervalSinceNow: -120)], ofItemAtPath: partial)
        #expect(SessionJournal.unfinished(in: folder).isEmpty)
        #expect(!FileManager.default.fileExists(atPath: path))
        #expect(!FileManager.default.fileExists(atPath: partial))
    }

    @Test func aJournalCannotBeStartedInAFile() throws {
        let file = Support.temporaryFolder("synthlab-journals") + "/plain"
        #expect(FileManager.default.createFile(atPath: file, contents: Data("x".utf8)))
        let error = #expect(throws: ShellError.self) { try SessionJournal(folder: file, workingFolder: "/") }
        #expect(error?.message == "cannot make the folder of session journals \(file): it is not a folder")
    }
}
