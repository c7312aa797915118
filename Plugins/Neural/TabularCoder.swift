import Foundation
import SynthKit
import SynthMath
import SynthNN

/// A part of an encoded row that a network produces with one output activation.
struct Span: Codable, Equatable {
    enum Activation: String, Codable { case tanh, softmax }
    let start: Int
    let width: Int
    let activation: Activation
}

/// How the neural generators see a table (CTGAN's data transformer, Xu et al. 2019, §4.2):
/// - numeric columns (continuous, integer, datetime): mode-specific normalization, a scalar
///   α = (x − μₖ)/(4σₖ) clipped to ±0.99 (a tanh span) and the mode one-hot (a softmax span), the
///   mode drawn from its posterior; a value that at least `point_mass_share` of the present values
///   hold (capital-gain's 0) is a mode of its own, decoded exactly; with missing values, a two-way
///   softmax span (present, missing);
/// - categorical and boolean columns: one-hot (missing is one more category), a softmax span;
/// - an integer column of a few values (`fewValues`): one-hot of its values, as categories.
/// Encoded rows are Float32, row-major.
struct TabularCoder: Codable, Equatable {
    enum Transform: Codable, Equatable {
        case numeric(ModeSpecificNormalization)
        case categorical(OneHotEncoder)
    }

    struct ColumnLayout: Codable, Equatable {
        let name: String
        let transform: Transform
        let start: Int
        let width: Int
        /// The column's spans (absolute positions).
        let spans: [Span]
    }

    let columns: [ColumnLayout]
    let width: Int

    var spans: [Span] { columns.flatMap(\.spans) }

    /// With `publicBounds` (under privacy), numeric columns get one mode from their range (the
    /// bounds given, else their minimum and maximum, taken as public metadata) instead of a mixture
    /// fitted on their values, and every column a missing indicator or category whether or not it
    /// has missing values: the coder then reveals nothing a DP guarantee covers. `random`
    /// seeds each mixture's initialization.
    init(fitting table: Table, maxModes: Int, weightThreshold: Double, pointMassShare: Double, publicBounds: PublicBounds? = nil,
         random: inout Philox, context: PluginContext) throws {
        var layouts: [ColumnLayout] = []
        var start = 0
        func appendOneHot(_ column: Column, _ encoder: OneHotEncoder) {
            layouts.append(ColumnLayout(name: column.name, transform: .categorical(encoder), start: start, width: encoder.width,
                                        spans: [Span(start: start, width: encoder.width, activation: .softmax)]))
            start += encoder.width
        }
        for (index, column) in table.columns.enumerated() {
            try context.checkCancellation()
            // Under privacy the values would come from the data: every integer column stays numeric.
            let fewValues = publicBounds == nil ? try Self.fewValues(column, rows: table.rowCount) : nil
            switch column.kind {
            case .categorical, .boolean:
                // Under privacy, a missing category whether or not the data hold one.
                appendOneHot(column, publicBounds != nil ? OneHotEncoder(domain: try CategoryDomain(column).withMissing())
                                                         : try OneHotEncoder(fitting: column))
            case .integer where fewValues != nil:
                appendOneHot(column, OneHotEncoder(domain: fewValues!))
            case .continuous, .integer, .datetime:
                let normalization: ModeSpecificNormalization
                if let publicBounds {
                    normalization = try ModeSpecificNormalization(publicRangeOf: column, bounds: publicBounds[column.name])
                } else {
                    normalization = try ModeSpecificNormalization(fitting: column, maxModes: maxModes, weightThreshold: weightThreshold,
                                                                  pointMassShare: pointMassShare, random: &random)
                }
                let modes = normalization.modeCount
                var spans = [Span(start: start, width: 1, activation: .tanh), Span(start: start + 1, width: modes, activation: .softmax)]
                if normalization.hasMissing { spans.append(Span(start: start + 1 + modes, width: 2, activation: .softmax)) }
                let width = 1 + modes + (normalization.hasMissing ? 2 : 0)
                layouts.append(ColumnLayout(name: column.name, transform: .numeric(normalization), start: start, width: width, spans: spans))
                start += width
            }
            context.progress(nil, "encoding column \(index + 1) of \(table.columns.count): \(column.name)")
        }
        columns = layouts
        width = start
    }

    /// The values of an integer column that holds so few of them, at most min(round(rows / 10), 10)
    /// in a table of more than 5 rows, that it is learned as categories (nil for any other column):
    /// a rating from 1 to 4 or a count of dependents, whose values a mixture of Gaussian modes would
    /// learn as spikes with vanishing widths. SDV's metadata detection marks such a column ordinal,
    /// and its CTGAN and TVAE take it as a discrete column.
    static func fewValues(_ column: Column, rows: Int) throws -> CategoryDomain? {
        guard column.kind == .integer, rows > 5 else { return nil }
        let domain = try CategoryDomain(valuesOf: column, atMost: Swift.min(Int((Double(rows) / 10).rounded(.toNearestOrEven)), 10))
        return domain?.levels.isEmpty == false ? domain : nil
    }

    /// The table's rows encoded (n × width, row-major).
    func encode(_ table: Table, random: inout Philox) throws -> [Float] {
        guard table.columnNames == columns.map(\.name) else {
            throw PluginError.invalidArgument("the table's columns \(table.columnNames) are not the fitted ones \(columns.map(\.name))")
        }
        let n = table.rowCount
        var data = [Float](repeating: 0, count: n * width)
        for (layout, column) in zip(columns, table.columns) {
            switch layout.transform {
            case .categorical(let encoder):
                for (row, code) in encoder.domain.codes(column).enumerated() { data[row * width + layout.start + code] = 1 }
            case .numeric(let normalization):
                let encoded = normalization.forward(column, random: &random)
                let modes = normalization.modeCount
                for row in 0..<n {
                    let base = row * width + layout.start
                    data[base] = Float(Swift.min(0.99, Swift.max(-0.99, encoded[0][row])))
                    for mode in 0..<modes where encoded[1 + mode][row] != 0 { data[base + 1 + mode] = 1 }
                    if normalization.hasMissing {
                        data[base + 1 + modes + (column.isMissing(row) ? 1 : 0)] = 1
                    }
                }
            }
        }
        return data
    }

    /// Rows back from activated network output (n × width): softmax spans by their argmax, scalars
    /// clipped to [−1, 1]. With `sigmas` (one per encoded column, TVAE's learned σ), each scalar is
    /// first drawn from N(α, σ²).
    func decode(_ data: [Float], rows: Int, sigmas: [Float]? = nil, random: inout Philox) throws -> Table {
        precondition(data.count == rows * width, "decode: \(data.count) values for \(rows) × \(width)")
        let width = self.width
        func pick(_ row: Int, _ start: Int, _ count: Int) -> Int { argmax(data, row: row, width: width, start, count) }
        var out: [Column] = []
        for layout in columns {
            switch layout.transform {
            case .categorical(let encoder):
                let codes = (0..<rows).map { pick($0, layout.start, layout.width) }
                out.append(encoder.domain.column(codes, name: layout.name))
            case .numeric(let normalization):
                let modes = normalization.modeCount
                var encoded = [[Double]](repeating: [Double](repeating: 0, count: rows), count: normalization.width)
                for row in 0..<rows {
                    var alpha = Double(data[row * width + layout.start])
                    if let sigmas { alpha += Double(sigmas[layout.start]) * random.nextNormal() }
                    encoded[0][row] = Swift.min(1, Swift.max(-1, alpha))
                    encoded[1 + pick(row, layout.start + 1, modes)][row] = 1
                    if normalization.hasMissing, pick(row, layout.start + 1 + modes, 2) == 1 { encoded[1 + modes][row] = 1 }
                }
                out.append(normalization.inverse(encoded, name: layout.name))
            }
        }
        return try Table(columns: out)
    }

    /// The layout of a categorical or boolean column and the index of `value` among its levels.
    func category(column name: String, value: String) throws -> (column: Int, level: Int) {
        guard let index = columns.firstIndex(where: { $0.name == name }) else {
            throw PluginError.invalidArgument("no column '\(name)' (columns: \(columns.map(\.name).joined(separator: ", ")))")
        }
        guard case .categorical(let encoder) = columns[index].transform else {
            throw PluginError.invalidArgument("column '\(name)' is learned as a number: only a category can be a condition, or a value of an "
                                              + "integer column of a few values (at most 10, and at most a tenth of the rows), which is learned as categories")
        }
        guard let level = encoder.domain.levels.firstIndex(of: value) else {
            throw PluginError.invalidArgument("column '\(name)' has no category '\(value)' (categories: \(encoder.domain.levels.joined(separator: ", ")))")
        }
        return (index, level)
    }
}

/// Applies each span's activation to raw network output: tanh on scalars, and on softmax spans
/// either Gumbel-softmax with temperature `tau` (CTGAN) or a plain softmax.
func activate(_ raw: Tensor, spans: [Span], gumbelTau: Float?, random: inout Philox) -> Tensor {
    raw.spanActivation(spans.map { ActivationSpan(start: $0.start, width: $0.width, kind: $0.activation == .tanh ? .tanh : .softmax) },
                       gumbelTau: gumbelTau, random: &random)
}

/// Layer widths from a parameter such as "256,256".
func parseWidths(_ text: String, parameter: String) throws -> [Int] {
    let parts = text.split(separator: ",", omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: .whitespaces) }
    var widths: [Int] = []
    for part in parts {
        guard let width = Int(part), width > 0, width <= 65_536 else {
            throw PluginError.invalidArgument("parameter '\(parameter)': '\(text)' is not a comma-separated list of layer widths (each 1 to 65536), e.g. \"256,256\"")
        }
        widths.append(width)
    }
    return widths
}

/// The one field every saved model's header has.
struct ModelKind: Decodable { let plugin: String }

/// A saved model: a JSON header (everything but the weights) and a SynthNN checkpoint.
enum ModelArchive {
    static let magic = Array("SYNTHNNMODEL1\n".utf8)

    static func write<Header: Encodable>(_ header: Header, network: Layer) throws -> [UInt8] {
        let json = try CodableState.encoder().encode(header)
        var bytes = magic
        withUnsafeBytes(of: UInt64(json.count).littleEndian) { bytes.append(contentsOf: $0) }
        bytes.append(contentsOf: json)
        bytes.append(contentsOf: Checkpoint.encode(network))
        return bytes
    }

    static func header<Header: Decodable>(_ type: Header.Type, in bytes: [UInt8], plugin: String) throws -> (Header, Data) {
        guard bytes.count >= magic.count + 8, Array(bytes.prefix(magic.count)) == magic else {
            throw PluginError.invalidArgument("not a saved \(plugin) model (the file does not start with the SynthNN model header)")
        }
        let length = bytes[magic.count..<(magic.count + 8)].enumerated().reduce(UInt64(0)) { $0 | UInt64($1.element) << (8 * UInt64($1.offset)) }
        let jsonStart = magic.count + 8
        guard length <= UInt64(bytes.count - jsonStart) else { throw PluginError.invalidArgument("saved \(plugin) model is truncated") }
        let jsonEnd = jsonStart + Int(length)
        let decoder = CodableState.decoder()
        if let kind = try? decoder.decode(ModelKind.self, from: Data(bytes[jsonStart..<jsonEnd])), kind.plugin != plugin {
            throw PluginError.invalidArgument("the saved model is a '\(kind.plugin)' model, not a \(plugin) one")
        }
        let header: Header
        do {
            header = try decoder.decode(Header.self, from: Data(bytes[jsonStart..<jsonEnd]))
        } catch {
            throw PluginError.invalidArgument("saved \(plugin) model has an unreadable header: \(error)")
        }
        return (header, Data(bytes[jsonEnd...]))
    }

    static func loadWeights(_ data: Data, into network: Layer, plugin: String) throws {
        do {
            try Checkpoint.decode(data, into: network)
        } catch {
            throw PluginError.invalidArgument("saved \(plugin) model: \(error)")
        }
    }
}
