import CSynthABI
import Foundation
import SynthKit

/// A live instance of a loaded plugin, destroyed when the last reference goes away.
public final class PluginInstance: @unchecked Sendable {
    public let plugin: LoadedPlugin
    public let parameters: Parameters
    let pointer: UnsafeMutablePointer<synth_instance>

    /// Validates `values` against the plugin's schema (unknown ids, types, bounds, required
    /// parameters) and only then calls the plugin's create().
    public convenience init(_ plugin: LoadedPlugin, values: [String: ParameterValue] = [:], host: HostServices) throws {
        try self.init(plugin, parameters: try Parameters(resolving: values, schema: plugin.descriptor.parameters, plugin: plugin.id),
                      host: host)
    }

    /// Calls the plugin's create() with parameters already resolved against its schema.
    public init(_ plugin: LoadedPlugin, parameters: Parameters, host: HostServices) throws {
        self.plugin = plugin
        self.parameters = parameters
        var strings: [UnsafeMutablePointer<CChar>] = []
        defer { strings.forEach { free($0) } }
        func keep(_ text: String) -> UnsafePointer<CChar> {
            let copy = strdup(text)!
            strings.append(copy)
            return UnsafePointer(copy)
        }
        let cValues: [synth_param_value] = parameters.values.map { item in
            let choice = plugin.descriptor.parameters.first { $0.id == item.id }?.type == .choice
            return item.value.cValue(id: keep(item.id), choice: choice, text: keep)
        }
        var created: UnsafeMutablePointer<synth_instance>?
        do {
            try host.withHost { hostPointer in
                try callPlugin(plugin.id, "create") { error in
                    plugin.id.withCString { id in
                        cValues.withUnsafeBufferPointer { buffer in
                            plugin.entry.pointee.create(id, hostPointer, buffer.baseAddress, UInt32(buffer.count), &created, error)
                        }
                    }
                }
            }
        }
        guard let created else { throw SynthLabError.badOutput(plugin: plugin.id, message: "create() succeeded but returned no instance") }
        pointer = created
    }

    deinit {
        pointer.pointee.destroy?(pointer)
    }

    /// The interface behind a capability id, or nil when the instance does not offer it.
    func capability<T>(_ id: String, as type: T.Type) -> UnsafePointer<T>? {
        guard let lookup = pointer.pointee.get_capability, let raw = lookup(pointer, id) else { return nil }
        return raw.assumingMemoryBound(to: T.self)
    }
}

/// Calls a plugin function that reports errors through a `synth_error`, as a thrown
/// `SynthLabError.pluginFailed` naming the plugin and the operation.
func callPlugin(_ plugin: String, _ operation: String,
                _ body: (UnsafeMutablePointer<synth_error>) -> synth_status) throws(SynthLabError) {
    do {
        try callReportingErrors(body)
    } catch {
        throw .pluginFailed(plugin: plugin, operation: operation, message: error.description)
    }
}
