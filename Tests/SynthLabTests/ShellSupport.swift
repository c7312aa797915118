import Foundation
import SynthLab
@testable import SynthShell

/// A session on the built-in plugins whose output and diagnostics are kept in strings.
final class CapturedSession {
    let session: Session
    private let box: Box

    final class Box: @unchecked Sendable {
        var output = ""
        var errors = ""
    }

    init(pluginFolder: String? = nil, seed: UInt64 = 0) throws {
        let folder = try pluginFolder ?? Support.pluginFolder()
        let box = Box()
        self.box = box
        session = Session(registry: PluginRegistry(searchPath: [folder]),
                          io: SessionIO(write: { box.output += $0 }, diagnostic: { box.errors += $0 }), seed: seed)
        // Experiments store their results in a fresh workspace and run trials in the built synthlab.
        session.workspace = Support.temporaryFolder("synthlab-workspace")
        session.workerExecutable = Support.executable
        // Never the user's own journals.
        session.journalFolder = Support.temporaryFolder("synthlab-journals")
    }

    var output: String { box.output }
    var errors: String { box.errors }

    func clear() {
        box.output = ""
        box.errors = ""
    }

    /// Runs `text` as typed at the prompt (relative paths against `folder`), as the REPL runs a
    /// line: cut at each `;` into statements and commands, stopping at the first that fails;
    /// returns whether every one succeeded.
    @discardableResult
    func type(_ text: String, folder: String = FileManager.default.currentDirectoryPath) -> Bool {
        session.runScript(text, origin: Origin(file: nil, folder: folder), bail: true)
    }

    /// Runs `text` and returns what it printed, or the error it reported.
    func result(_ text: String) -> String {
        clear()
        type(text)
        return output + errors
    }
}
