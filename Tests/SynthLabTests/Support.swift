import Foundation
import Testing
import SynthMath

/// Paths and helpers shared by the host's tests. The plugins and the `synthlab` executable are
/// the ones `swift build` made: `$SYNTHLAB_BUILD_DIR`, or `.build/debug` of this checkout.
enum Support {
    static let repositoryRoot: String = {
        var url = URL(fileURLWithPath: #filePath)
        for _ in 0..<3 { url.deleteLastPathComponent() }
        return url.path
    }()

    static let buildFolder: String = ProcessEnvironment.current["SYNTHLAB_BUILD_DIR"]
        ?? repositoryRoot + "/.build/debug"

    static let dataFolder: String = ProcessEnvironment.current["SYNTHLAB_DATA_DIR"]
        ?? URL(fileURLWithPath: repositoryRoot).deletingLastPathComponent().appendingPathComponent("shared/data").path

    static let fixtures = repositoryRoot + "/Tests/SynthLabTests/Fixtures"
    static let abiInclude = repositoryRoot + "/Sources/CSynthABI/include"
    static var executable: String { buildFolder + "/synthlab" }

    static func data(_ name: String) -> String { dataFolder + "/" + name }

    static let builtInLibraries = ["libsynth_independent.so", "libsynth_gaussian_copula.so", "libsynth_bayesian_network.so", "libsynth_classification.so", "libsynth_neural.so", "libsynth_laplace.so", "libsynth_dp_sgd.so", "libsynth_gaussian.so", "libsynth_column_shapes.so", "libsynth_validators.so",
                                   "libsynth_missing_rates.so"]

    /// A new folder under the temporary directory, removed when the test process exits.
    static func temporaryFolder(_ label: String = "synthlab-tests") -> String {
        let path = NSTemporaryDirectory() + label + "-" + UUID().uuidString
        try! FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        TemporaryFolders.shared.add(path)
        return path
    }

    /// A folder holding copies of the built-in plugins (all, or the ones named).
    static func pluginFolder(with libraries: [String] = builtInLibraries) throws -> String {
        let folder = temporaryFolder("synthlab-plugins")
        for library in libraries {
            let source = buildFolder + "/" + library
            guard FileManager.default.fileExists(atPath: source) else {
                throw SupportError("\(source) is missing: run `swift build` before the tests (scripts/test.sh does)")
            }
            // A link, not a copy: the tests make hundreds of these folders.
            try FileManager.default.createSymbolicLink(atPath: folder + "/" + library, withDestinationPath: source)
        }
        return folder
    }

    struct Output {
        var status: Int32
        var stdout: String
        var stderr: String
    }

    /// Runs a program to completion and captures its output. `environment` is added to this
    /// process's; the variables in `unset` are left out.
    @discardableResult
    static func run(_ program: String, _ arguments: [String], environment: [String: String] = [:],
                    unset: [String] = [], in directory: String? = nil) throws -> Output {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: program)
        process.arguments = arguments
        var env = ProcessEnvironment.current
        for key in unset { env[key] = nil }
        for (key, value) in environment { env[key] = value }
        process.environment = env
        if let directory { process.currentDirectoryURL = URL(fileURLWithPath: directory) }
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try ProcessEnvironment.withLock { try process.run() }
        // Read both pipes before waiting, so a large output cannot block the child.
        let outData = out.fileHandleForReading.readDataToEndOfFile()
        let errData = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return Output(status: process.terminationStatus, stdout: String(decoding: outData, as: UTF8.self),
                      stderr: String(decoding: errData, as: UTF8.self))
    }

    /// `synthlab ARGS` with plugins found only in `pluginPath` (the executable's own folder comes
    /// last on the search path, so tests point XDG_DATA_HOME at an empty folder).
    static func synthlab(_ arguments: [String], pluginPath: String? = nil) throws -> Output {
        var environment = ["XDG_DATA_HOME": temporaryFolder("synthlab-xdg")]
        if let pluginPath { environment["SYNTHLAB_PLUGIN_PATH"] = pluginPath }
        return try run(executable, arguments, environment: environment)
    }

    /// Compiles a C plugin with the system C compiler.
    static func compileC(_ source: String, to output: String, defines: [String] = []) throws {
        let result = try run("/usr/bin/env", ["cc", "-shared", "-fPIC", "-O1", "-I", abiInclude] + defines.map { "-D" + $0 }
                             + [source, "-o", output, "-lm"])
        guard result.status == 0 else { throw SupportError("cc failed on \(source):\n\(result.stderr)") }
    }

    static func json(_ text: String) throws -> [String: Any] {
        guard let object = try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any] else {
            throw SupportError("not a JSON object: \(text.prefix(200))")
        }
        return object
    }
}

struct SupportError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

/// The temporary folders the tests made, removed at exit (the Slurm cluster's folder is stopped
/// first by its own exit handler, registered later and so run earlier).
final class TemporaryFolders: @unchecked Sendable {
    static let shared: TemporaryFolders = {
        let folders = TemporaryFolders()
        atexit {
            TemporaryFolders.shared.lock.lock()
            let paths = TemporaryFolders.shared.paths
            TemporaryFolders.shared.lock.unlock()
            for path in paths { try? FileManager.default.removeItem(atPath: path) }
        }
        return folders
    }()
    private let lock = NSLock()
    private var paths: [String] = []

    func add(_ path: String) {
        lock.lock()
        paths.append(path)
        lock.unlock()
    }
}
