import CSynthABI
import Foundation

/// Exports Swift plugin types through the C ABI. A plugin library calls it from its one entry
/// function:
///
/// ```swift
/// @_cdecl("synth_plugin_entry")
/// public func synthPluginEntry() -> UnsafeRawPointer { exportPlugins(MyGenerator.self) }
/// ```
///
/// The entry is built on the first call and returned unchanged afterwards. Its state lives in this
/// library's own copy of SynthKit (plugins link with `-Bsymbolic`), so two plugins never share it.
public func exportPlugins(_ types: any SynthPlugin.Type...) -> UnsafeRawPointer {
    exportLock.lock()
    defer { exportLock.unlock() }
    if let entry = exportedEntry { return UnsafeRawPointer(entry) }
    var byId: [String: any SynthPlugin.Type] = [:]
    for type in types { byId[type.descriptor.id] = type }
    exportedTypes = byId
    let descriptors = UnsafeMutablePointer<UnsafePointer<synth_descriptor>?>.allocate(capacity: max(types.count, 1))
    for (index, type) in types.enumerated() {
        descriptors[index] = UnsafePointer(makeCDescriptor(type.descriptor))
    }
    let entry = UnsafeMutablePointer<synth_entry>.allocate(capacity: 1)
    entry.initialize(to: synth_entry(
        struct_size: UInt32(MemoryLayout<synth_entry>.size), abi_version: SYNTH_ABI_VERSION,
        descriptors: descriptors, descriptor_count: UInt32(types.count),
        create: createInstance, get_capability: libraryCapability))
    exportedEntry = entry
    return UnsafeRawPointer(entry)
}

/// A public global of this SynthKit copy. The library capability `synth.sdk.image/1` returns its
/// address, so the host can check with `dladdr` that a plugin's SynthKit is the plugin's own.
nonisolated(unsafe) public var synthKitImageMarker: UInt8 = 0x5a

/// The address of `synthKitImageMarker` as this copy of SynthKit resolves it.
public func synthKitImageAnchor() -> UnsafeRawPointer {
    UnsafeRawPointer(withUnsafeMutablePointer(to: &synthKitImageMarker) { $0 })
}

public enum LibraryCapability {
    public static let sdkImage = "synth.sdk.image/1"
}

private let exportLock = NSLock()
nonisolated(unsafe) private var exportedEntry: UnsafeMutablePointer<synth_entry>?
nonisolated(unsafe) private var exportedTypes: [String: any SynthPlugin.Type] = [:]

private func libraryCapability(_ id: UnsafePointer<CChar>?) -> UnsafeRawPointer? {
    guard let id, String(cString: id) == LibraryCapability.sdkImage else { return nil }
    return synthKitImageAnchor()
}

// MARK: descriptors

/// Strings and arrays handed to the host live as long as the process (the ABI says so).
private func permanent(_ text: String) -> UnsafePointer<CChar> { UnsafePointer(strdup(text)) }

private func makeCDescriptor(_ descriptor: PluginDescriptor) -> UnsafeMutablePointer<synth_descriptor> {
    let params = UnsafeMutablePointer<synth_param_desc>.allocate(capacity: max(descriptor.parameters.count, 1))
    for (index, spec) in descriptor.parameters.enumerated() {
        params.advanced(by: index).initialize(to: makeCParameter(spec))
    }
    let capabilities = permanentList(descriptor.capabilities)
    let composed = UnsafeMutablePointer<synth_param_value>.allocate(capacity: max(descriptor.composedParameters.count, 1))
    for (index, item) in descriptor.composedParameters.sorted(by: { $0.key < $1.key }).enumerated() {
        let choice = descriptor.parameters.first { $0.id == item.key }?.type == .choice
        composed.advanced(by: index).initialize(to: item.value.cValue(id: permanent(item.key), choice: choice, text: permanent))
    }
    let kind: synth_kind = switch descriptor.kind {
    case .generator: SYNTH_KIND_GENERATOR
    case .privacy: SYNTH_KIND_PRIVACY
    case .validator: SYNTH_KIND_VALIDATOR
    }
    let result = UnsafeMutablePointer<synth_descriptor>.allocate(capacity: 1)
    result.initialize(to: synth_descriptor(
        struct_size: UInt32(MemoryLayout<synth_descriptor>.size), id: permanent(descriptor.id),
        name: permanent(descriptor.name), version: permanent(descriptor.version), kind: kind,
        summary: permanent(descriptor.summary), params: params, param_count: UInt32(descriptor.parameters.count),
        capabilities: capabilities, capability_count: UInt32(descriptor.capabilities.count),
        flags: descriptor.kind == .generator
            ? (descriptor.simulates ? SYNTH_GENERATOR_SIMULATES : 0) | (descriptor.samplesConditionally ? SYNTH_GENERATOR_CONDITIONAL : 0)
                | (descriptor.savesModels ? SYNTH_GENERATOR_SAVES : 0)
            : descriptor.validatorNeeds.rawValue,
        composed_params: composed, composed_param_count: UInt32(descriptor.composedParameters.count)))
    return result
}

private func permanentList(_ items: [String]) -> UnsafePointer<UnsafePointer<CChar>?> {
    let list = UnsafeMutablePointer<UnsafePointer<CChar>?>.allocate(capacity: max(items.count, 1))
    for (index, item) in items.enumerated() { list[index] = permanent(item) }
    return UnsafePointer(list)
}

private func makeCParameter(_ spec: ParameterSpec) -> synth_param_desc {
    var desc = synth_param_desc()
    desc.struct_size = UInt32(MemoryLayout<synth_param_desc>.size)
    desc.id = permanent(spec.id)
    desc.flags = spec.flags.rawValue
    desc.help = permanent(spec.help)
    switch spec.type {
    case .int: desc.type = SYNTH_PARAM_INT
    case .float: desc.type = SYNTH_PARAM_FLOAT
    case .bool: desc.type = SYNTH_PARAM_BOOL
    case .choice: desc.type = SYNTH_PARAM_CHOICE
    case .string: desc.type = SYNTH_PARAM_STRING
    }
    switch spec.defaultValue {
    case .int(let v): desc.default_int = v
    case .float(let v): desc.default_float = v
    case .bool(let v): desc.default_bool = v
    case .string(let v): desc.default_string = permanent(v)
    case nil: break
    }
    if let low = spec.minimum {
        desc.has_min = true
        desc.min_float = low
        desc.min_int = Int64(low)
    }
    if let high = spec.maximum {
        desc.has_max = true
        desc.max_float = high
        desc.max_int = Int64(high)
    }
    if !spec.choices.isEmpty {
        desc.choices = permanentList(spec.choices)
        desc.choice_count = UInt32(spec.choices.count)
    }
    return desc
}

// MARK: instances

/// What `synth_instance.plugin_data` points to.
final class InstanceBox {
    var plugin: any SynthPlugin
    init(_ plugin: any SynthPlugin) { self.plugin = plugin }
}

/// Writes `message` into the host's buffer, cut at a UTF-8 boundary to fit.
func writeError(_ error: UnsafeMutablePointer<synth_error>?, _ message: String) {
    guard let error, let buffer = error.pointee.message, error.pointee.capacity > 0 else { return }
    let limit = error.pointee.capacity - 1
    var length = 0
    for scalar in message.unicodeScalars {
        let width = UTF8.width(scalar)
        if length + width > limit { break }
        length += width
    }
    let bytes = Array(message.utf8.prefix(length))
    bytes.withUnsafeBufferPointer { source in
        buffer.withMemoryRebound(to: UInt8.self, capacity: bytes.count + 1) { target in
            if let base = source.baseAddress { target.update(from: base, count: bytes.count) }
            target[bytes.count] = 0
        }
    }
}

/// Runs a plugin call, turning a thrown error into a status and a message.
func guarded(_ buffer: UnsafeMutablePointer<synth_error>?, _ body: () throws -> Void) -> synth_status {
    do {
        try body()
        return SYNTH_OK
    } catch let failure as PluginError {
        writeError(buffer, failure.description)
        return failure.status
    } catch let failure as ParameterError {
        writeError(buffer, failure.description)
        return SYNTH_ERR_INVALID_ARGUMENT
    } catch let failure as ArrowImportError {
        writeError(buffer, failure.description)
        return SYNTH_ERR_INVALID_ARGUMENT
    } catch {
        writeError(buffer, String(describing: error))
        return SYNTH_ERR_INTERNAL
    }
}

private func createInstance(_ id: UnsafePointer<CChar>?, _ host: UnsafePointer<synth_host>?,
                            _ values: UnsafePointer<synth_param_value>?, _ count: UInt32,
                            _ out: UnsafeMutablePointer<UnsafeMutablePointer<synth_instance>?>?,
                            _ error: UnsafeMutablePointer<synth_error>?) -> synth_status {
    guarded(error) {
        guard let id, let out else { throw PluginError.invalidArgument("create() needs a descriptor id and an out pointer") }
        let name = String(cString: id)
        exportLock.lock()
        let type = exportedTypes[name]
        exportLock.unlock()
        guard let type else { throw PluginError.invalidArgument("this library has no plugin '\(name)'") }
        var given: [(id: String, value: ParameterValue)] = []
        for index in 0..<Int(count) {
            guard let value = values?[index], let parsed = ParameterValue.read(value) else { continue }
            given.append(parsed)
        }
        // The host validated already; checking again costs nothing and protects against a host
        // that did not.
        let resolved = try Parameters(resolving: Dictionary(given, uniquingKeysWith: { $1 }),
                                      schema: type.descriptor.parameters, plugin: name)
        let plugin = try type.init(parameters: resolved, context: PluginContext(host: host))
        let instance = UnsafeMutablePointer<synth_instance>.allocate(capacity: 1)
        instance.initialize(to: synth_instance(
            struct_size: UInt32(MemoryLayout<synth_instance>.size),
            plugin_data: Unmanaged.passRetained(InstanceBox(plugin)).toOpaque(),
            destroy: destroyInstance, get_capability: instanceCapability))
        out.pointee = instance
    }
}

private func destroyInstance(_ instance: UnsafeMutablePointer<synth_instance>?) {
    guard let instance else { return }
    if let data = instance.pointee.plugin_data { Unmanaged<InstanceBox>.fromOpaque(data).release() }
    instance.deinitialize(count: 1)
    instance.deallocate()
}

func box(of instance: UnsafePointer<synth_instance>?) -> InstanceBox? {
    guard let data = instance?.pointee.plugin_data else { return nil }
    return Unmanaged<InstanceBox>.fromOpaque(data).takeUnretainedValue()
}

private func instanceCapability(_ instance: UnsafePointer<synth_instance>?, _ id: UnsafePointer<CChar>?) -> UnsafeRawPointer? {
    guard let id, let box = box(of: instance) else { return nil }
    switch String(cString: id) {
    case Capability.generator where box.plugin is any Generator: return UnsafeRawPointer(generatorInterface)
    case Capability.generatorState where box.plugin is any PersistentGenerator: return UnsafeRawPointer(stateInterface)
    case Capability.validator where box.plugin is any Validator: return UnsafeRawPointer(validatorInterface)
    case Capability.privacy where box.plugin is any PrivacyMechanism: return UnsafeRawPointer(privacyInterface)
    case Capability.privacyStatistics where box.plugin is any StatisticsPrivacy: return UnsafeRawPointer(statisticsInterface)
    case Capability.privacyGradient where box.plugin is any GradientPrivacy: return UnsafeRawPointer(gradientInterface)
    default: return nil
    }
}

extension ParameterValue {
    /// The value as the C ABI passes it, under `id`; `text` makes a C string of a string value
    /// that lives as long as the struct is used.
    public func cValue(id: UnsafePointer<CChar>, choice: Bool, text: (String) -> UnsafePointer<CChar>) -> synth_param_value {
        var value = synth_param_value()
        value.struct_size = UInt32(MemoryLayout<synth_param_value>.size)
        value.id = id
        switch self {
        case .int(let v): value.type = SYNTH_PARAM_INT; value.int_value = v
        case .float(let v): value.type = SYNTH_PARAM_FLOAT; value.float_value = v
        case .bool(let v): value.type = SYNTH_PARAM_BOOL; value.bool_value = v
        case .string(let v):
            value.type = choice ? SYNTH_PARAM_CHOICE : SYNTH_PARAM_STRING
            value.string_value = text(v)
        }
        return value
    }

    /// A parameter value as the C ABI passes it, with its id; nil without an id.
    public static func read(_ value: synth_param_value) -> (id: String, value: ParameterValue)? {
        guard let id = value.id else { return nil }
        let parsed: ParameterValue = switch value.type {
        case SYNTH_PARAM_INT: .int(value.int_value)
        case SYNTH_PARAM_FLOAT: .float(value.float_value)
        case SYNTH_PARAM_BOOL: .bool(value.bool_value)
        default: .string(value.string_value.map { String(cString: $0) } ?? "")
        }
        return (String(cString: id), parsed)
    }
}
