import Foundation
import SynthKit
import SynthLab

/// A value and the expression a recording writes for it: plugin parameters filled in, seeds
/// drawn, paths made absolute.
struct Evaluated {
    var value: Value
    var canonical: Expr
}

struct Evaluator {
    let session: Session

    func evaluate(_ expr: Expr) throws(ShellError) -> Evaluated {
        switch expr.kind {
        case .number(let value, let isInteger):
            return Evaluated(value: .number(value, isInteger: isInteger), canonical: expr)
        case .string(let text), .path(let text):
            return Evaluated(value: .string(text), canonical: expr)
        case .bool(let value):
            return Evaluated(value: .bool(value), canonical: expr)
        case .negate(let inner):
            let operand = try evaluate(inner)
            guard case .number(let value, let isInteger) = operand.value else {
                throw ShellError("'-' applies to a number, not \(operand.value.typeName)", at: expr.location)
            }
            return Evaluated(value: .number(-value, isInteger: isInteger), canonical: Expr(.number(-value, isInteger: isInteger), at: expr.location))
        case .name(let name):
            return Evaluated(value: try lookup(name, at: expr.location), canonical: expr)
        case .list(let items):
            var values: [Value] = [], canonical: [Expr] = []
            for item in items {
                let result = try evaluate(item)
                values.append(result.value)
                canonical.append(result.canonical)
            }
            return Evaluated(value: try nested(.list(values), at: expr.location), canonical: Expr(.list(canonical), at: expr.location))
        case .record(let fields):
            var values: [(key: String, value: Value)] = [], canonical: [RecordField] = []
            for field in fields {
                let result = try evaluate(field.value)
                values.append((field.key, result.value))
                canonical.append(RecordField(key: field.key, keyLocation: field.keyLocation, value: result.canonical))
            }
            return Evaluated(value: try nested(.record(values), at: expr.location), canonical: Expr(.record(canonical), at: expr.location))
        case .with(let left, let right):
            return try compose(left, right, at: expr.location)
        case .call(let name, let arguments):
            if let builtin = Builtins.named(name) {
                return try callBuiltin(builtin, arguments, at: expr.location)
            }
            if let plugin = session.registry.plugins.first(where: { $0.id == name }) {
                return try callPlugin(plugin, arguments, at: expr.location)
            }
            let known = Builtins.all.map(\.name) + session.registry.plugins.map(\.id)
            throw ShellError("no function or plugin '\(name)'" + Suggest.hint(name, among: known)
                             + "; .help lists the functions, .plugins the plugins", at: expr.location)
        }
    }

    /// `value`, a list or record just built, unless lists built of bound lists have made it
    /// nest deeper than any expression may.
    func nested(_ value: Value, at location: SourceLocation) throws(ShellError) -> Value {
        guard value.nesting <= Parser.maximumDepth else {
            throw ShellError("this value nests more than \(Parser.maximumDepth) lists or records deep", at: location)
        }
        return value
    }

    func lookup(_ name: String, at location: SourceLocation) throws(ShellError) -> Value {
        if let value = session.lookup(name) { return value }
        if let plugin = session.registry.plugins.first(where: { $0.id == name }) { return .plugin(plugin) }
        if Builtins.named(name) != nil {
            throw ShellError("'\(name)' is a function: call it, \(name)(...) (see .help \(name))", at: location)
        }
        if let failed = session.failedBindings[name] {
            throw ShellError("nothing is bound to '\(name)': the statement that binds it failed" + (failed.file.map { " (\($0):\(failed.line))" } ?? ""),
                             at: location)
        }
        let known = session.boundNames + session.registry.plugins.map(\.id)
        let command = ShellCommands.named(withoutDot: name).map { "; the shell command is \($0.name)" } ?? ""
        throw ShellError("nothing is bound to '\(name)'" + Suggest.hint(name, among: known) + command, at: location)
    }

    // MARK: Plugins

    /// `id(name: value, ...)`: a configuration checked against the plugin's schema. A list given
    /// for a parameter makes one configuration per element (a sweep); several lists, their product.
    func callPlugin(_ plugin: LoadedPlugin, _ arguments: [Argument], at location: SourceLocation) throws(ShellError) -> Evaluated {
        let schema = plugin.descriptor.parameters
        var axes: [(id: String, values: [ParameterValue])] = []
        var canonicalGiven: [String: Expr] = [:]
        var sweep = false
        for argument in arguments {
            guard let label = argument.label, let labelLocation = argument.labelLocation else {
                let example = schema.first.map { "\(plugin.id)(\($0.id): ...)" } ?? "\(plugin.id)()"
                throw ShellError("plugin parameters are named, as in \(example)", at: argument.value.location)
            }
            guard let spec = schema.first(where: { $0.id == label }) else {
                let names = schema.map(\.id)
                let list = names.isEmpty ? "it takes no parameters" : "its parameters: \(names.joined(separator: ", "))"
                throw ShellError("'\(plugin.id)' has no parameter '\(label)'" + Suggest.hint(label, among: names) + " (\(list))", at: labelLocation)
            }
            let result = try evaluate(argument.value)
            var values: [ParameterValue] = []
            if case .list(let items) = result.value {
                guard !items.isEmpty else { throw ShellError("an empty list gives '\(label)' no value to sweep", at: argument.value.location) }
                sweep = true
                for item in items { values.append(try parameterValue(item, spec: spec, plugin: plugin.id, at: argument.value.location)) }
                canonicalGiven[label] = result.canonical
            } else {
                let value = try parameterValue(result.value, spec: spec, plugin: plugin.id, at: argument.value.location)
                values = [value]
                canonicalGiven[label] = literalExpression(value, at: argument.value.location)
            }
            axes.append((label, values))
        }
        // The product of the axes, in the order the arguments were given.
        var combinations: [[String: ParameterValue]] = [[:]]
        for axis in axes {
            combinations = combinations.flatMap { partial in
                axis.values.map { value in partial.merging([axis.id: value]) { $1 } }
            }
        }
        var configs: [PluginConfig] = []
        for given in combinations {
            let parameters: Parameters
            do {
                parameters = try Parameters(resolving: given, schema: schema, plugin: plugin.id)
            } catch {
                throw ShellError(error.description, at: location)
            }
            try checkCreates(plugin, parameters, at: location)
            configs.append(PluginConfig(plugin: plugin, parameters: parameters))
        }
        let canonicalArguments = schema.map { spec in
            Argument(label: spec.id, labelLocation: nil,
                     value: canonicalGiven[spec.id] ?? literalExpression(spec.defaultValue ?? .string(""), at: location))
        }
        let canonical = Expr(.call(plugin.id, canonicalArguments), at: location)
        let value: Value = sweep ? .list(configs.map { .config($0) }) : .config(configs[0])
        return Evaluated(value: value, canonical: canonical)
    }

    /// Makes an instance of `plugin` and drops it, so that what its schema cannot say (ctgan's batch
    /// a multiple of its pac, a list of layer widths) fails where the configuration is written, not
    /// when a run reaches it.
    func checkCreates(_ plugin: LoadedPlugin, _ parameters: Parameters, at location: SourceLocation) throws(ShellError) {
        do {
            _ = try PluginInstance(plugin, parameters: parameters, host: session.host(seed: 0))
        } catch SynthLabError.pluginFailed(let id, "create", let message) {
            throw ShellError("\(id): \(message)", at: location)
        } catch {
            throw ShellError(String(describing: error), at: location)
        }
    }

    func parameterValue(_ value: Value, spec: ParameterSpec, plugin: String, at location: SourceLocation) throws(ShellError) -> ParameterValue {
        let raw: ParameterValue
        switch value {
        case .number(let number, let isInteger): raw = isInteger ? .int(Int64(number)) : .float(number)
        case .string(let text): raw = .string(text)
        case .bool(let flag): raw = .bool(flag)
        default:
            throw ShellError("parameter '\(spec.id)' of '\(plugin)' takes \(article(spec.type)), not \(value.typeName)", at: location)
        }
        do {
            return try spec.validate(raw)
        } catch {
            if case .notAChoice = error { throw ShellError(error.description, at: location) }
            throw ShellError("\(plugin): \(error.description)", at: location)
        }
    }

    private func article(_ type: ParameterType) -> String {
        switch type {
        case .int: "an integer"
        case .float: "a number"
        case .bool: "true or false"
        case .choice: "one of its choices"
        case .string: "a string"
        }
    }

    // MARK: Composition

    /// `GENERATOR with PRIVACY`; lists on either side compose element by element (their product).
    func compose(_ left: Expr, _ right: Expr, at location: SourceLocation) throws(ShellError) -> Evaluated {
        let generators = try evaluate(left)
        let privacies = try evaluate(right)
        let leftItems: [Value] = if case .list(let items) = generators.value { items } else { [generators.value] }
        let rightItems: [Value] = if case .list(let items) = privacies.value { items } else { [privacies.value] }
        var composed: [Value] = []
        for item in leftItems {
            let generator = try Convert.generatorSpec(item, session: session, at: left.location)
            if generator.privacy != nil {
                throw ShellError("\(generator.generator.id) is already composed with \(generator.privacy!.id); a generator takes one privacy mechanism", at: location)
            }
            for other in rightItems {
                let privacy = try Convert.pluginConfig(other, kind: .privacy, session: session, at: right.location)
                var configured = generator.generator
                do {
                    try Composition.check(generator: configured.plugin.descriptor, privacy: privacy.plugin.descriptor)
                    configured.parameters = try Composition.parameters(configured.parameters, generator: configured.plugin.descriptor,
                                                                       privacy: privacy.plugin.descriptor)
                } catch {
                    throw ShellError(error.description, at: location)
                }
                composed.append(.generator(GeneratorSpec(generator: configured, privacy: privacy)))
            }
        }
        let single = leftItems.count == 1 && rightItems.count == 1
            && !{ if case .list = generators.value { return true }; if case .list = privacies.value { return true }; return false }()
        return Evaluated(value: single ? composed[0] : .list(composed),
                         canonical: Expr(.with(generators.canonical, privacies.canonical), at: location))
    }

    // MARK: Built-in functions

    func callBuiltin(_ builtin: Builtin, _ arguments: [Argument], at location: SourceLocation) throws(ShellError) -> Evaluated {
        var frame = CallFrame(builtin: builtin, location: location)
        var positional = 0
        for argument in arguments {
            let parameter: BuiltinParameter
            if let label = argument.label {
                guard let found = builtin.parameters.first(where: { $0.name == label }) else {
                    let names = builtin.parameters.map(\.name)
                    throw ShellError("\(builtin.name)() has no argument '\(label)'" + Suggest.hint(label, among: names)
                                     + " (its arguments: \(names.joined(separator: ", ")))", at: argument.labelLocation)
                }
                parameter = found
            } else {
                guard positional < builtin.parameters.count else {
                    throw ShellError("\(builtin.name)() takes at most \(builtin.parameters.count) argument(s): \(builtin.usage)", at: argument.value.location)
                }
                parameter = builtin.parameters[positional]
                positional += 1
            }
            if frame.values[parameter.name] != nil {
                // Positional arguments fill the parameters in order, so a name can repeat one.
                let place = builtin.parameters.firstIndex { $0.name == parameter.name }!
                let how = argument.label != nil && place < positional
                    ? ": argument \(place + 1) gave it by position, as in \(builtin.usage)" : ""
                throw ShellError("the argument '\(parameter.name)' is given twice" + how, at: argument.labelLocation ?? argument.value.location)
            }
            let result = try evaluate(argument.value)
            frame.values[parameter.name] = (result.value, argument.value.location)
            var canonical = result.canonical
            if parameter.kind == .path, case .string(let text) = result.value, case .string = argument.value.kind {
                canonical = Expr(.path(session.resolve(text)), at: argument.value.location)
            }
            frame.canonical.append(Argument(label: argument.label, labelLocation: nil, value: canonical))
        }
        for parameter in builtin.parameters where parameter.required && frame.values[parameter.name] == nil {
            throw ShellError("\(builtin.name)() needs '\(parameter.name)': \(builtin.usage)", at: location)
        }
        let value = try builtin.body(session, &frame)
        return Evaluated(value: value, canonical: Expr(.call(builtin.name, frame.canonical), at: location))
    }
}

/// The arguments of one built-in call, and the canonical arguments it records.
struct CallFrame {
    let builtin: Builtin
    let location: SourceLocation
    var values: [String: (value: Value, location: SourceLocation)] = [:]
    var canonical: [Argument] = []

    func has(_ name: String) -> Bool { values[name] != nil }
    func location(of name: String) -> SourceLocation { values[name]?.location ?? location }
    func value(_ name: String) -> Value? { values[name]?.value }

    /// Adds an argument the user left out to the recorded call (a drawn seed).
    mutating func record(_ name: String, _ expr: Expr) {
        canonical.append(Argument(label: name, labelLocation: nil, value: expr))
    }
}
