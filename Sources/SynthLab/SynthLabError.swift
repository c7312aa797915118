import SynthKit

/// Errors of the host: each says what went wrong and what would fix it.
public enum SynthLabError: Error, CustomStringConvertible, Equatable {
    case unknownPlugin(id: String, kind: PluginKind?, available: [String], rejectedHint: String?)
    case wrongKind(id: String, expected: PluginKind, actual: PluginKind)
    case cannotCompose(generator: String, consumes: [String], privacy: String, provides: [String])
    case pluginFailed(plugin: String, operation: String, message: String)
    case badOutput(plugin: String, message: String)
    case invalidRequest(String)

    public var description: String {
        switch self {
        case .unknownPlugin(let id, let kind, let available, let hint):
            let what = kind.map { "\($0.rawValue) plugin" } ?? "plugin"
            var text = "no \(what) '\(id)'" + Suggest.hint(id, among: available)
            text += available.isEmpty ? " (none is loaded)" : " (available: \(available.joined(separator: ", ")))"
            if let hint { text += "; \(hint)" }
            return text
        case .wrongKind(let id, let expected, let actual):
            return "'\(id)' is a \(actual.rawValue) plugin, not a \(expected.rawValue) plugin"
        case .cannotCompose(let generator, let consumes, let privacy, let provides):
            let wants = consumes.isEmpty ? "consumes no privacy capability" : "consumes \(consumes.joined(separator: ", "))"
            return "generator '\(generator)' \(wants), but privacy '\(privacy)' provides \(provides.joined(separator: ", ")): they do not compose"
        case .pluginFailed(let plugin, let operation, let message):
            return "\(plugin): \(operation) failed: \(message)"
        case .badOutput(let plugin, let message):
            return "\(plugin) returned an invalid result: \(message)"
        case .invalidRequest(let message):
            return message
        }
    }
}
