import Foundation
import SynthKit

/// Routes `KEY=VALUE` settings typed by a user to the plugins of one run. A key may name its
/// plugin (`laplace.epsilon=1`); an unqualified key goes to the one plugin that declares it.
public enum ParameterAssignment {
    public static func route(_ settings: [String], to plugins: [LoadedPlugin]) throws(SynthLabError) -> [String: [String: ParameterValue]] {
        var routed: [String: [String: ParameterValue]] = [:]
        for plugin in plugins { routed[plugin.id] = [:] }
        for setting in settings {
            guard let equals = setting.firstIndex(of: "=") else {
                throw .invalidRequest("a parameter is written KEY=VALUE, got '\(setting)'")
            }
            var key = String(setting[..<equals]).trimmingCharacters(in: .whitespaces)
            let text = String(setting[setting.index(after: equals)...])
            var owners = plugins.filter { plugin in plugin.descriptor.parameters.contains { $0.id == key } }
            if let dot = key.firstIndex(of: "."), let owner = plugins.first(where: { $0.id == key[..<dot] }) {
                key = String(key[key.index(after: dot)...])
                owners = [owner]
            }
            guard owners.count == 1, let owner = owners.first else {
                if owners.isEmpty {
                    let known = plugins.flatMap { plugin in plugin.descriptor.parameters.map { "\(plugin.id).\($0.id)" } }
                    let list = known.isEmpty ? "none of them takes parameters" : "known: \(known.joined(separator: ", "))"
                    let hint = Suggest.hint(key, among: plugins.flatMap { plugin in plugin.descriptor.parameters.map(\.id) })
                    throw .invalidRequest("unknown parameter '\(key)' for \(plugins.map(\.id).joined(separator: " and "))\(hint) (\(list))")
                }
                throw .invalidRequest("parameter '\(key)' is declared by \(owners.map(\.id).joined(separator: " and ")); write \(owners[0].id).\(key)=...")
            }
            guard let spec = owner.descriptor.parameters.first(where: { $0.id == key }) else {
                let known = owner.descriptor.parameters.map(\.id)
                throw .invalidRequest(ParameterError.unknown(id: key, plugin: owner.id, known: known).description)
            }
            guard routed[owner.id]?[key] == nil else {
                throw .invalidRequest(ParameterError.duplicate(id: "\(owner.id).\(key)").description)
            }
            do {
                routed[owner.id]?[key] = try spec.parse(text)
            } catch {
                throw .invalidRequest("\(owner.id): \(error.description)")
            }
        }
        return routed
    }
}
