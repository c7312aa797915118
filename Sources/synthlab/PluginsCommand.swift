import ArgumentParser
import SynthKit
import SynthLab

struct PluginsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "plugins", abstract: "List the plugins found on the search path, and the files rejected.")

    @OptionGroup var output: OutputFlags

    func run() throws {
        try reportingErrors {
            let registry = PluginRegistry()
            if output.json { return try printJSON(PluginCatalog(registry)) }
            print("Search path: \(registry.searchPath.joined(separator: ":"))")
            for kind in PluginKind.allCases {
                let plugins = registry.plugins(of: kind)
                guard !plugins.isEmpty else { continue }
                print("\n\(kind == .privacy ? "privacy mechanisms" : kind.rawValue + "s"):")
                for plugin in plugins {
                    let d = plugin.descriptor
                    print("  \(d.id) \(d.version)  \(d.summary)")
                    print("      \(plugin.path)")
                    for spec in d.parameters {
                        let value = spec.defaultValue.map { "= \($0)" } ?? "(required)"
                        let extra = spec.type == .choice ? " {\(spec.choices.joined(separator: ", "))}" : (spec.boundsDescription.isEmpty ? "" : " \(spec.boundsDescription)")
                        print("      \(spec.id): \(spec.type.rawValue) \(value)\(extra)  \(spec.help)")
                    }
                }
            }
            if !registry.rejected.isEmpty {
                print("\nrejected:")
                for rejection in registry.rejected { print("  \(rejection.path): \(rejection.reason)") }
            }
        }
    }
}
