import Foundation
import SynthKit
import SynthLab

/// Checks that a value is what a function argument needs, with an error pointing at it.
enum Convert {
    static func table(_ value: Value, at location: SourceLocation, what: String = "a table") throws(ShellError) -> TableValue {
        guard case .table(let table) = value else {
            // head(), schema() and summary() return result tables to read, which look like tables.
            let hint = if case .view = value { " (head(), schema() and summary() show a table; load(), sample(), select(), training() and holdout() make one)" } else { "" }
            throw ShellError("expected \(what), got \(value.typeName)\(hint)", at: location)
        }
        return table
    }

    static func string(_ value: Value, at location: SourceLocation, what: String = "a string") throws(ShellError) -> String {
        guard case .string(let text) = value else { throw ShellError("expected \(what), got \(value.typeName)", at: location) }
        return text
    }

    static func bool(_ value: Value, at location: SourceLocation) throws(ShellError) -> Bool {
        guard case .bool(let flag) = value else { throw ShellError("expected true or false, got \(value.typeName)", at: location) }
        return flag
    }

    static func integer(_ value: Value, at location: SourceLocation, minimum: Int = .min, what: String = "an integer") throws(ShellError) -> Int {
        guard case .number(let number, let isInteger) = value, isInteger else {
            throw ShellError("expected \(what), got \(describe(value))", at: location)
        }
        guard number >= Double(minimum) else { throw ShellError("expected \(what) of at least \(minimum), got \(Int(number))", at: location) }
        return Int(number)
    }

    static func number(_ value: Value, at location: SourceLocation) throws(ShellError) -> Double {
        guard case .number(let number, _) = value else { throw ShellError("expected a number, got \(value.typeName)", at: location) }
        return number
    }

    static func seed(_ value: Value, at location: SourceLocation) throws(ShellError) -> UInt64 {
        guard case .number(let number, let isInteger) = value, isInteger, number >= 0 else {
            throw ShellError("a seed is a non-negative integer, got \(describe(value))", at: location)
        }
        return UInt64(number)
    }

    /// What a value is, with the number itself where the number is what is wrong: a decimal where an
    /// integer is needed says how to write it as one (`1e3` is the decimal 1000.0).
    static func describe(_ value: Value) -> String {
        guard case .number(let number, let isInteger) = value else { return value.typeName }
        if isInteger { return "\(Int64(number))" }
        if number == number.rounded(), Swift.abs(number) < 1e15 {
            return "the decimal number \(formatDouble(number)) (an integer is written without a point or an exponent: \(Int64(number)))"
        }
        return "the decimal number \(formatDouble(number))"
    }

    /// A value or a list of values, flattened one level.
    static func items(_ value: Value) -> [Value] {
        if case .list(let elements) = value { return elements.flatMap { items($0) } }
        return [value]
    }

    static func strings(_ value: Value, at location: SourceLocation, what: String) throws(ShellError) -> [String] {
        var result: [String] = []
        for item in items(value) { result.append(try string(item, at: location, what: what)) }
        return result
    }

    /// A plugin's configuration: a configured call, or a bare plugin id with its defaults.
    static func pluginConfig(_ value: Value, kind: PluginKind, session: Session, at location: SourceLocation) throws(ShellError) -> PluginConfig {
        switch value {
        case .config(let config):
            guard config.kind == kind else {
                throw ShellError("'\(config.id)' is a \(config.kind.rawValue) plugin, not a \(kind.rawValue) plugin", at: location)
            }
            return config
        case .plugin(let plugin):
            guard plugin.kind == kind else {
                throw ShellError("'\(plugin.id)' is a \(plugin.kind.rawValue) plugin, not a \(kind.rawValue) plugin", at: location)
            }
            do {
                return PluginConfig(plugin: plugin, parameters: try Parameters(resolving: [:], schema: plugin.descriptor.parameters, plugin: plugin.id))
            } catch {
                throw ShellError(error.description + "; call it with its parameters, \(plugin.id)(...)", at: location)
            }
        case .generator(let spec) where kind == .generator && spec.privacy == nil:
            return spec.generator
        default:
            throw ShellError("expected a \(kind.rawValue) plugin, got \(value.typeName)", at: location)
        }
    }

    static func generatorSpec(_ value: Value, session: Session, at location: SourceLocation) throws(ShellError) -> GeneratorSpec {
        if case .generator(let spec) = value { return spec }
        return GeneratorSpec(generator: try pluginConfig(value, kind: .generator, session: session, at: location), privacy: nil)
    }
}
