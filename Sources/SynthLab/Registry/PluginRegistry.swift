import Foundation
import SynthKit

/// Every plugin found on the search path, and every file that was rejected with its reason.
/// Loading never fails as a whole: a broken file is listed and the others keep working.
public final class PluginRegistry: @unchecked Sendable {
    public let searchPath: [String]
    public private(set) var plugins: [LoadedPlugin] = []
    public private(set) var rejected: [RejectedPlugin] = []

    /// Scans `searchPath` folders in order; within a folder, `.so` files in name order.
    public init(searchPath: [String] = PluginSearchPath.folders()) {
        self.searchPath = searchPath
        var seenFiles = Set<String>()
        var owner: [String: String] = [:]
        for folder in searchPath {
            for path in Self.libraries(in: folder) {
                let real = URL(fileURLWithPath: path).resolvingSymlinksInPath().path
                guard seenFiles.insert(real).inserted else { continue }
                switch PluginLoader.load(path: path) {
                case .failure(let rejection):
                    rejected.append(rejection)
                case .success(let found):
                    if let clash = found.first(where: { owner[$0.id] != nil }) {
                        rejected.append(RejectedPlugin(
                            path: path, reason: "plugin id '\(clash.id)' is already provided by \(owner[clash.id]!)"))
                        continue
                    }
                    for plugin in found { owner[plugin.id] = path }
                    plugins.append(contentsOf: found)
                }
            }
        }
    }

    public func plugins(of kind: PluginKind) -> [LoadedPlugin] { plugins.filter { $0.kind == kind } }

    /// The loaded validators that can run with or without a holdout table and a target column,
    /// and each of the others with what it lacks.
    public func validators(holdout: Bool, target: Bool) -> (applicable: [LoadedPlugin], lacking: [(plugin: LoadedPlugin, needs: ValidatorNeeds)]) {
        var applicable: [LoadedPlugin] = [], lacking: [(LoadedPlugin, ValidatorNeeds)] = []
        for plugin in plugins(of: .validator) {
            var missing = plugin.descriptor.validatorNeeds
            if holdout { missing.remove(.holdout) }
            if target { missing.remove(.target) }
            if missing.isEmpty { applicable.append(plugin) } else { lacking.append((plugin, missing)) }
        }
        return (applicable, lacking)
    }

    /// The plugin with `id` and, when given, of `kind`; otherwise an error that lists what exists.
    public func plugin(_ id: String, kind: PluginKind? = nil) throws(SynthLabError) -> LoadedPlugin {
        if let plugin = plugins.first(where: { $0.id == id }) {
            if let kind, plugin.kind != kind {
                throw .wrongKind(id: id, expected: kind, actual: plugin.kind)
            }
            return plugin
        }
        let candidates = (kind.map { plugins(of: $0) } ?? plugins).map(\.id).sorted()
        throw .unknownPlugin(id: id, kind: kind, available: candidates,
                             rejectedHint: rejected.isEmpty ? nil : "\(rejected.count) file(s) were rejected; see `synthlab plugins`")
    }

    private static func libraries(in folder: String) -> [String] {
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: folder) else { return [] }
        return names.filter { $0.hasSuffix(".so") }.sorted().map { folder + "/" + $0 }.filter { path in
            var isDirectory: ObjCBool = false
            return FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) && !isDirectory.boolValue
        }
    }
}
