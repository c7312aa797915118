import CSynthABI
import Foundation
import SynthKit
import SynthMath

/// A fitted generator saved to a file: a first line `SYNTHLAB-MODEL 1`, a second line of JSON
/// (plugin id and version, every parameter, the fitted columns, the seed, ε and δ spent, the
/// SHA-256 of what follows), then the plugin's own bytes (`synth.generator.state/1`). The file
/// is written atomically.
public struct SavedModelHeader: Codable, Sendable, Equatable {
    public struct Parameter: Codable, Sendable, Equatable {
        public var id: String
        public var type: String
        public var value: String
    }

    public struct FittedColumn: Codable, Sendable, Equatable {
        public var name: String
        public var kind: ColumnKind
    }

    /// 1, or 2 for a model whose generator learned rules (`learned`), which a reader that does not
    /// restore them must not sample. A reader refuses a format above `SavedModel.newestFormat`.
    public var format = 1
    public var plugin: String
    public var version: String
    public var parameters: [Parameter]
    public var columns: [FittedColumn]
    public var seed: UInt64
    /// Rows of the training table.
    public var rows: Int
    public var epsilon: Double?
    public var delta: Double?
    /// SHA-256 of the training table as CSV (absent in files written before it was recorded).
    public var trainingTableSHA256: String?
    /// How many bytes of the plugin's follow the header, and their SHA-256: `SavedModel.file` sets
    /// both and `SavedModel.read` checks them, so a cut or damaged file is refused rather than
    /// sampled (absent in files written before they were recorded).
    public var stateBytes: Int?
    public var stateSHA256: String?
    /// The rules the model keeps (`keep:` at fit, joined by "; "), and those its generator
    /// learned: the plugin's bytes make a gap in place of a column, or leave a column out, and
    /// sampling restores them.
    public var rules: String?
    public var learned: [LearnedRule]?
}

extension GeneratorSession {
    /// Writes the fitted model to `path` (atomically: a temporary file in the same folder, then a
    /// rename), so a failed save never leaves a half-written file.
    public func saveModel(to path: String, host: HostServices) throws {
        let id = generator.plugin.id
        guard let fitted else { throw SynthLabError.invalidRequest("\(id): nothing to save, the generator is not fitted") }
        guard let state = generator.capability(Capability.generatorState, as: synth_generator_state_v1.self),
              Int(state.pointee.struct_size) >= MemoryLayout<synth_generator_state_v1>.size, let save = state.pointee.save else {
            throw SynthLabError.invalidRequest("generator '\(id)' cannot save its model")
        }
        final class Sink { var bytes: [UInt8] = [] }
        let sink = Sink()
        try host.withHost(privacy: nil) { hostPointer in
            try callPlugin(id, "save") { error in
                save(generator.pointer, hostPointer, { context, bytes, count in
                    guard let context, let bytes else { return }
                    Unmanaged<Sink>.fromOpaque(context).takeUnretainedValue().bytes.append(contentsOf: UnsafeBufferPointer(start: bytes, count: Int(count)))
                }, Unmanaged.passUnretained(sink).toOpaque(), error)
            }
        }
        let spent = privacySpent
        var header = SavedModelHeader(
            plugin: id, version: generator.plugin.descriptor.version,
            parameters: generator.parameters.values.map { entry in
                switch entry.value {
                case .int(let v): .init(id: entry.id, type: "int", value: String(v))
                case .float(let v): .init(id: entry.id, type: "float", value: String(v))
                case .bool(let v): .init(id: entry.id, type: "bool", value: v ? "true" : "false")
                case .string(let v): .init(id: entry.id, type: "string", value: v)
                }
            },
            columns: fitted.columns.map { .init(name: $0.0, kind: $0.1) }, seed: host.seed, rows: fitted.rows,
            epsilon: spent?.epsilon, delta: spent?.delta, trainingTableSHA256: trainingTableSHA256,
            rules: ConditionalSampling.describe(keptRules), learned: learned.isEmpty ? nil : learned)
        if !learned.isEmpty { header.format = 2 }
        let data = try SavedModel.file(header: header, state: sink.bytes)
        try Synthesis.checkWritable(path)
        do { try AtomicFile.write(data, to: path) } catch { throw SynthLabError.invalidRequest(String(describing: error)) }
    }

    /// A session with the model saved at `path`, ready to sample (`SavedModel.read`, then `loadModel(_:)`).
    public static func loadModel(from path: String, registry: PluginRegistry, host: HostServices) throws -> GeneratorSession {
        try loadModel(try SavedModel.read(path), registry: registry, host: host)
    }

    /// A session with a saved model, ready to sample: the plugin is found in `registry` by id,
    /// created with the saved parameters, and given the saved bytes.
    public static func loadModel(_ saved: SavedModel, registry: PluginRegistry, host: HostServices) throws -> GeneratorSession {
        let header = saved.header, path = saved.path
        let plugin = try registry.plugin(header.plugin, kind: .generator)
        if plugin.descriptor.version != header.version {
            host.log(.warning, "\(path) was saved by \(header.plugin) \(header.version); loading it with \(plugin.descriptor.version)")
        }
        let values = try saved.parameterValues()
        let session = try GeneratorSession(generator: try PluginInstance(plugin, values: values, host: host), privacy: nil)
        guard let interface = session.generator.capability(Capability.generatorState, as: synth_generator_state_v1.self),
              Int(interface.pointee.struct_size) >= MemoryLayout<synth_generator_state_v1>.size, let load = interface.pointee.load else {
            throw SynthLabError.invalidRequest("generator '\(header.plugin)' cannot load a saved model")
        }
        try host.withHost(privacy: nil) { hostPointer in
            try saved.state.withUnsafeBufferPointer { buffer in
                try callPlugin(header.plugin, "load") { load(session.generator.pointer, hostPointer, buffer.baseAddress, UInt64(buffer.count), $0) }
            }
        }
        session.fitted = (header.columns.map { ($0.name, $0.kind) }, header.rows)
        session.cachedTrainingHash = header.trainingTableSHA256
        if let epsilon = header.epsilon { session.loadedSpend = PrivacySpend(epsilon: epsilon, delta: header.delta ?? 0) }
        session.keptRules = try saved.rules()
        session.learned = header.learned ?? []
        return session
    }
}

/// A model file as read: its header and the plugin's bytes.
public struct SavedModel: Sendable {
    public let path: String
    public let header: SavedModelHeader
    public let state: [UInt8]

    static let magic = Array("SYNTHLAB-MODEL 1\n".utf8)
    /// The newest header format this build reads.
    public static let newestFormat = 2

    /// The generator's parameters as the header records them.
    public func parameterValues() throws -> [String: ParameterValue] {
        var values: [String: ParameterValue] = [:]
        for parameter in header.parameters {
            let value: ParameterValue? = switch parameter.type {
            case "int": Int64(parameter.value).map(ParameterValue.int)
            case "float": Double(parameter.value).map(ParameterValue.float)
            case "bool": parameter.value == "true" ? .bool(true) : parameter.value == "false" ? .bool(false) : nil
            case "string": .string(parameter.value)
            default: nil
            }
            guard let value else {
                throw SynthLabError.invalidRequest("\(path): parameter '\(parameter.id)' has an unreadable \(parameter.type) value '\(parameter.value)'")
            }
            values[parameter.id] = value
        }
        return values
    }

    /// The rules the model keeps, as its header records them.
    public func rules() throws -> [ConstraintRule] {
        guard let text = header.rules else { return [] }
        do { return try ConstraintRule.parse(text) } catch { throw SynthLabError.invalidRequest("\(path): unreadable rules in the model header: \(error)") }
    }

    /// The bytes of a model file: the magic line, the header as one line of JSON (with the size and
    /// checksum of `state`), the plugin's bytes.
    public static func file(header: SavedModelHeader, state: [UInt8]) throws -> Data {
        var header = header
        header.stateBytes = state.count
        header.stateSHA256 = SHA256.hex(state)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        var data = Data(magic)
        data.append(try encoder.encode(header))
        data.append(0x0A)
        data.append(contentsOf: state)
        return data
    }

    /// Reads and checks a model file (one read; loading it needs nothing more from the disk).
    public static func read(_ path: String) throws -> SavedModel {
        let bytes: [UInt8]
        do { bytes = try FileBytes.read(path, text: false) } catch {
            throw SynthLabError.invalidRequest(error == .missing ? "no model file \(path)" : "cannot read model file \(path): \(error.reason)")
        }
        guard bytes.count > magic.count, Array(bytes.prefix(magic.count)) == magic else {
            throw SynthLabError.invalidRequest("\(path) is not a SynthLab model file (it does not start with 'SYNTHLAB-MODEL 1')")
        }
        guard let end = bytes[magic.count...].firstIndex(of: 0x0A) else {
            throw SynthLabError.invalidRequest("\(path): the model file is truncated (no header line)")
        }
        let header: SavedModelHeader
        do {
            header = try JSONDecoder().decode(SavedModelHeader.self, from: Data(bytes[magic.count..<end]))
        } catch {
            throw SynthLabError.invalidRequest("\(path): unreadable model header: \(error)")
        }
        guard header.format <= newestFormat else {
            throw SynthLabError.invalidRequest("\(path) has a model header of format \(header.format), newer than this SynthLab reads (\(newestFormat)); "
                                               + "sample it with the SynthLab that wrote it, or a newer one")
        }
        let state = Array(bytes[(end + 1)...])
        if let recorded = header.stateBytes, state.count != recorded {
            let how = state.count < recorded ? "truncated" : "longer than written"
            throw SynthLabError.invalidRequest("\(path): the model file is \(how): \(state.count) bytes of \(header.plugin) model where \(recorded) were saved")
        }
        if let recorded = header.stateSHA256, SHA256.hex(state) != recorded {
            throw SynthLabError.invalidRequest("\(path) is damaged: its \(header.plugin) model's bytes do not have the SHA-256 recorded when it was saved")
        }
        return SavedModel(path: path, header: header, state: state)
    }
}
