import Foundation
import Testing
@testable import SynthLab
import SynthMath

/// Runs docs/plugins.md's walkthrough as written: writes its files, runs its shell steps with a
/// fresh HOME, then checks that the new plugin loaded into an unchanged host and ran.
struct WalkthroughTests {
    struct Walkthrough {
        var files: [(path: String, text: String)] = []
        var shell: [String] = []
    }

    static func parse(_ markdown: String) -> Walkthrough {
        var walkthrough = Walkthrough()
        var info: String?
        var body: [Substring] = []
        for line in markdown.split(separator: "\n", omittingEmptySubsequences: false) {
            if line.hasPrefix("```") {
                if let open = info {
                    let text = body.joined(separator: "\n") + "\n"
                    if let range = open.range(of: "file=") {
                        walkthrough.files.append((String(open[range.upperBound...]), text))
                    } else if open == "sh" {
                        walkthrough.shell.append(text)
                    }
                    info = nil
                    body = []
                } else {
                    info = String(line.dropFirst(3))
                }
            } else if info != nil {
                body.append(line)
            }
        }
        return walkthrough
    }

    @Test(.timeLimit(.minutes(10))) func pluginsPageWalkthroughWorks() throws {
        let markdown = try String(contentsOfFile: Support.repositoryRoot + "/docs/plugins.md", encoding: .utf8)
        let walkthrough = Self.parse(markdown)
        #expect(walkthrough.files.count == 2)
        #expect(walkthrough.shell.count == 1)

        let work = Support.temporaryFolder("synthlab-walkthrough")
        let home = work + "/home"
        try FileManager.default.createDirectory(atPath: home, withIntermediateDirectories: true)
        try FileManager.default.createSymbolicLink(atPath: work + "/synthlab", withDestinationPath: Support.repositoryRoot)
        try FileManager.default.createSymbolicLink(atPath: work + "/adult.csv", withDestinationPath: Support.data("adult.csv"))
        for file in walkthrough.files {
            let path = work + "/" + file.path
            try FileManager.default.createDirectory(atPath: URL(fileURLWithPath: path).deletingLastPathComponent().path,
                                                    withIntermediateDirectories: true)
            try file.text.write(toFile: path, atomically: true, encoding: .utf8)
        }
        let script = "set -euo pipefail\n" + walkthrough.shell.joined(separator: "\n")
        let path = Support.buildFolder + ":" + (ProcessEnvironment.current["PATH"] ?? "/usr/bin:/bin")
        let result = try Support.run("/bin/bash", ["-c", script],
                                     environment: ["HOME": home, "PATH": path, "XDG_DATA_HOME": "", "SYNTHLAB_PLUGIN_PATH": ""],
                                     in: work)
        #expect(result.status == 0, "walkthrough failed:\n\(result.stdout)\n\(result.stderr)")
        let installed = home + "/.local/share/synthlab/plugins/libsynth_mean_difference.so"
        #expect(result.stdout.contains("mean_difference 0.1.0"))
        #expect(result.stdout.contains(installed))
        #expect(result.stdout.contains("smd"))
        #expect(result.stdout.contains("average"))

        // The new plugin uses its own SynthKit, not the host's or a built-in plugin's.
        let registry = PluginRegistry(searchPath: [home + "/.local/share/synthlab/plugins"])
        let plugin = try registry.plugin("mean_difference", kind: .validator)
        let anchor = try #require(plugin.libraryCapability("synth.sdk.image/1"))
        #expect(IsolationTests.image(of: anchor) == URL(fileURLWithPath: installed).resolvingSymlinksInPath().path)
    }
}
