import Foundation
import SynthMath

/// Where plugins are looked for, in order: every folder of `$SYNTHLAB_PLUGIN_PATH` (colon
/// separated), the user's plugin folder (`$XDG_DATA_HOME/synthlab/plugins`, by default
/// `~/.local/share/synthlab/plugins`), then the folder of the running executable.
public enum PluginSearchPath {
    public static func folders(environment: [String: String] = ProcessEnvironment.current,
                               executableFolder: String? = executableFolder()) -> [String] {
        var folders: [String] = []
        if let list = environment["SYNTHLAB_PLUGIN_PATH"] {
            folders += list.split(separator: ":").map(String.init).filter { !$0.isEmpty }
        }
        folders.append(userPluginFolder(environment: environment))
        if let executableFolder { folders.append(executableFolder) }
        return folders
    }

    public static func userPluginFolder(environment: [String: String] = ProcessEnvironment.current) -> String {
        if let data = environment["XDG_DATA_HOME"], data.hasPrefix("/") {
            return data + "/synthlab/plugins"
        }
        let home = environment["HOME"] ?? NSHomeDirectory()
        return home + "/.local/share/synthlab/plugins"
    }

    /// The folder of the running executable (resolved through /proc/self/exe on Linux).
    public static func executableFolder() -> String? {
        guard let path = try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe") else {
            return Bundle.main.executableURL?.deletingLastPathComponent().path
        }
        return URL(fileURLWithPath: path).deletingLastPathComponent().path
    }
}
