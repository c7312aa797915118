import CSynthABI
import Foundation
import SynthKit

/// A plugin library entry found on disk and accepted: one of its descriptors.
public struct LoadedPlugin: @unchecked Sendable {
    public let descriptor: PluginDescriptor
    /// The `.so` it came from (as found on the search path).
    public let path: String
    /// The library's entry; it lives as long as the process (libraries are never unloaded).
    let entry: UnsafePointer<synth_entry>

    public var id: String { descriptor.id }
    public var kind: PluginKind { descriptor.kind }

    /// A library-wide capability of the plugin's library, or nil.
    public func libraryCapability(_ id: String) -> UnsafeRawPointer? {
        guard let lookup = entry.pointee.get_capability else { return nil }
        return lookup(id)
    }
}

/// A file on the search path that is not a usable plugin, and why.
public struct RejectedPlugin: Error, Sendable, Equatable {
    public let path: String
    public let reason: String
}

/// Opens one shared library and reads its entry. Never throws and never stops the host: any
/// problem becomes a rejection reason.
enum PluginLoader {
    // The sizes of the ABI version 1 structs: a plugin may hand bigger ones (later minor
    // versions), never smaller ones.
    static let entrySize = MemoryLayout<synth_entry>.size
    /// A descriptor of ABI version 1 as first published: the fields up to `flags`. The
    /// composed parameter values after it are read when `struct_size` covers them.
    static let descriptorSize = MemoryLayout<synth_descriptor>.offset(of: \synth_descriptor.composed_params)!
    static let composedEnd = MemoryLayout<synth_descriptor>.offset(of: \synth_descriptor.composed_param_count)! + MemoryLayout<UInt32>.size
    static let parameterSize = MemoryLayout<synth_param_desc>.size

    static func load(path: String) -> Result<[LoadedPlugin], RejectedPlugin> {
        func reject(_ reason: String) -> Result<[LoadedPlugin], RejectedPlugin> {
            .failure(RejectedPlugin(path: path, reason: reason))
        }
        guard let handle = FileHandle(forReadingAtPath: path) else { return reject("cannot be opened for reading") }
        let magic = (try? handle.read(upToCount: 4)) ?? Data()
        try? handle.close()
        guard magic == Data([0x7F, 0x45, 0x4C, 0x46]) else {
            return reject("not an ELF shared library (its first bytes are not \\x7fELF)")
        }
        _ = dlerror()
        guard let library = dlopen(path, RTLD_NOW | RTLD_LOCAL | RTLD_NODELETE) else {
            let message = dlerror().map { String(cString: $0) } ?? "unknown error"
            return reject("dlopen failed: \(message)")
        }
        // Libraries are never closed: unloading Swift code is not safe, and RTLD_NODELETE keeps it.
        guard let symbol = dlsym(library, SYNTH_PLUGIN_ENTRY_SYMBOL) else {
            return reject("has no '\(SYNTH_PLUGIN_ENTRY_SYMBOL)' symbol, so it is not a SynthLab plugin")
        }
        let function = unsafeBitCast(symbol, to: synth_plugin_entry_fn.self)
        guard let entry = function() else { return reject("\(SYNTH_PLUGIN_ENTRY_SYMBOL)() returned NULL") }
        guard entry.pointee.abi_version == SYNTH_ABI_VERSION else {
            return reject("built for plugin ABI version \(entry.pointee.abi_version); this host speaks version \(SYNTH_ABI_VERSION)")
        }
        guard Int(entry.pointee.struct_size) >= entrySize else {
            return reject("its entry struct is \(entry.pointee.struct_size) bytes, ABI version 1 needs \(entrySize)")
        }
        guard entry.pointee.create != nil else { return reject("its entry has no create function") }
        guard entry.pointee.descriptor_count > 0, let list = entry.pointee.descriptors else {
            return reject("declares no plugins")
        }
        var plugins: [LoadedPlugin] = []
        for index in 0..<Int(entry.pointee.descriptor_count) {
            switch readDescriptor(list[index], index: index) {
            case .success(let descriptor): plugins.append(LoadedPlugin(descriptor: descriptor, path: path, entry: entry))
            case .failure(let problem): return reject("invalid descriptor: \(problem.message)")
            }
        }
        return .success(plugins)
    }

    struct Problem: Error { let message: String }

    static func readDescriptor(_ pointer: UnsafePointer<synth_descriptor>?, index: Int) -> Result<PluginDescriptor, Problem> {
        guard let pointer else { return .failure(Problem(message: "descriptor \(index) is NULL")) }
        let raw = pointer.pointee
        guard Int(raw.struct_size) >= descriptorSize else {
            return .failure(Problem(message: "descriptor \(index) is \(raw.struct_size) bytes, ABI version 1 needs \(descriptorSize)"))
        }
        guard let id = raw.id.map({ String(cString: $0) }) else { return .failure(Problem(message: "descriptor \(index) has no id")) }
        let kind: PluginKind
        switch raw.kind {
        case SYNTH_KIND_GENERATOR: kind = .generator
        case SYNTH_KIND_PRIVACY: kind = .privacy
        case SYNTH_KIND_VALIDATOR: kind = .validator
        default: return .failure(Problem(message: "descriptor '\(id)' has unknown kind \(raw.kind.rawValue)"))
        }
        var parameters: [ParameterSpec] = []
        for paramIndex in 0..<Int(raw.param_count) {
            guard let params = raw.params else { return .failure(Problem(message: "descriptor '\(id)' counts parameters but has none")) }
            switch readParameter(params[paramIndex], descriptor: id) {
            case .success(let spec): parameters.append(spec)
            case .failure(let problem): return .failure(problem)
            }
        }
        let capabilities = strings(raw.capabilities, count: raw.capability_count)
        var composed: [String: ParameterValue] = [:]
        if Int(raw.struct_size) >= composedEnd, raw.composed_param_count > 0 {
            guard let values = raw.composed_params else {
                return .failure(Problem(message: "descriptor '\(id)' counts composed parameter values but has none"))
            }
            for index in 0..<Int(raw.composed_param_count) {
                guard let value = ParameterValue.read(values[index]) else {
                    return .failure(Problem(message: "descriptor '\(id)' has a composed parameter value without an id"))
                }
                guard composed.updateValue(value.value, forKey: value.id) == nil else {
                    return .failure(Problem(message: "descriptor '\(id)': composed value of parameter '\(value.id)' is given twice"))
                }
            }
        }
        let descriptor = PluginDescriptor(
            id: id, name: raw.name.map { String(cString: $0) } ?? "", version: raw.version.map { String(cString: $0) } ?? "",
            kind: kind, summary: raw.summary.map { String(cString: $0) } ?? "", parameters: parameters,
            capabilities: capabilities,
            validatorNeeds: kind == .validator ? ValidatorNeeds(rawValue: raw.flags) : [],
            simulates: kind == .generator && raw.flags & SYNTH_GENERATOR_SIMULATES != 0,
            samplesConditionally: kind == .generator && raw.flags & SYNTH_GENERATOR_CONDITIONAL != 0,
            savesModels: kind == .generator && raw.flags & SYNTH_GENERATOR_SAVES != 0,
            composedParameters: kind == .generator ? composed : [:])
        let problems = descriptor.problems()
        guard problems.isEmpty else { return .failure(Problem(message: problems.joined(separator: "; "))) }
        return .success(descriptor)
    }

    static func readParameter(_ raw: synth_param_desc, descriptor: String) -> Result<ParameterSpec, Problem> {
        guard Int(raw.struct_size) >= parameterSize else {
            return .failure(Problem(message: "descriptor '\(descriptor)': a parameter struct is \(raw.struct_size) bytes, ABI version 1 needs \(parameterSize)"))
        }
        guard let id = raw.id.map({ String(cString: $0) }) else {
            return .failure(Problem(message: "descriptor '\(descriptor)' has a parameter without an id"))
        }
        let flags = ParameterFlags(rawValue: raw.flags)
        let required = flags.contains(.required)
        let type: ParameterType
        var defaultValue: ParameterValue?
        var minimum: Double?, maximum: Double?
        switch raw.type {
        case SYNTH_PARAM_INT:
            type = .int
            defaultValue = .int(raw.default_int)
            minimum = raw.has_min ? Double(raw.min_int) : nil
            maximum = raw.has_max ? Double(raw.max_int) : nil
        case SYNTH_PARAM_FLOAT:
            type = .float
            defaultValue = .float(raw.default_float)
            minimum = raw.has_min ? raw.min_float : nil
            maximum = raw.has_max ? raw.max_float : nil
        case SYNTH_PARAM_BOOL:
            type = .bool
            defaultValue = .bool(raw.default_bool)
        case SYNTH_PARAM_CHOICE:
            type = .choice
            defaultValue = raw.default_string.map { .string(String(cString: $0)) }
        case SYNTH_PARAM_STRING:
            type = .string
            defaultValue = .string(raw.default_string.map { String(cString: $0) } ?? "")
        default:
            return .failure(Problem(message: "descriptor '\(descriptor)': parameter '\(id)' has unknown type \(raw.type.rawValue)"))
        }
        if type == .choice, defaultValue == nil, !required {
            return .failure(Problem(message: "descriptor '\(descriptor)': choice parameter '\(id)' has no default and is not required"))
        }
        return .success(ParameterSpec(
            id: id, type: type, help: raw.help.map { String(cString: $0) } ?? "", flags: flags,
            defaultValue: required ? nil : defaultValue, minimum: minimum, maximum: maximum,
            choices: strings(raw.choices, count: raw.choice_count)))
    }

    private static func strings(_ list: UnsafePointer<UnsafePointer<CChar>?>?, count: UInt32) -> [String] {
        guard let list else { return [] }
        return (0..<Int(count)).compactMap { list[$0].map { String(cString: $0) } }
    }
}
