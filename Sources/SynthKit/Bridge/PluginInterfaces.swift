import CSynthABI

// The C interface tables behind each capability id, shared by every instance of this library.
// Each function finds the Swift plugin in the instance's box and forwards the call.

nonisolated(unsafe) let generatorInterface: UnsafeMutablePointer<synth_generator_v1> = {
    let table = UnsafeMutablePointer<synth_generator_v1>.allocate(capacity: 1)
    table.initialize(to: synth_generator_v1(
        struct_size: UInt32(MemoryLayout<synth_generator_v1>.size), fit: generatorFit, sample: generatorSample,
        sample_conditional: generatorSampleConditional))
    return table
}()

nonisolated(unsafe) let stateInterface: UnsafeMutablePointer<synth_generator_state_v1> = {
    let table = UnsafeMutablePointer<synth_generator_state_v1>.allocate(capacity: 1)
    table.initialize(to: synth_generator_state_v1(struct_size: UInt32(MemoryLayout<synth_generator_state_v1>.size),
                                                  save: generatorSaveState, load: generatorLoadState))
    return table
}()

nonisolated(unsafe) let validatorInterface: UnsafeMutablePointer<synth_validator_v1> = {
    let table = UnsafeMutablePointer<synth_validator_v1>.allocate(capacity: 1)
    table.initialize(to: synth_validator_v1(struct_size: UInt32(MemoryLayout<synth_validator_v1>.size), validate: validatorValidate))
    return table
}()

nonisolated(unsafe) let privacyInterface: UnsafeMutablePointer<synth_privacy_v1> = {
    let table = UnsafeMutablePointer<synth_privacy_v1>.allocate(capacity: 1)
    table.initialize(to: synth_privacy_v1(struct_size: UInt32(MemoryLayout<synth_privacy_v1>.size),
                                          spent: privacySpent, budget: privacyBudget))
    return table
}()

nonisolated(unsafe) let statisticsInterface: UnsafeMutablePointer<synth_privacy_statistics_v1> = {
    let table = UnsafeMutablePointer<synth_privacy_statistics_v1>.allocate(capacity: 1)
    table.initialize(to: synth_privacy_statistics_v1(struct_size: UInt32(MemoryLayout<synth_privacy_statistics_v1>.size),
                                                     plan: statisticsPlan, histogram: statisticsHistogram,
                                                     plan_weighted: statisticsPlanWeighted))
    return table
}()

private func generatorFit(_ instance: UnsafeMutablePointer<synth_instance>?, _ host: UnsafePointer<synth_host>?,
                          _ schema: UnsafePointer<ArrowSchema>?, _ array: UnsafePointer<ArrowArray>?,
                          _ error: UnsafeMutablePointer<synth_error>?) -> synth_status {
    guarded(error) {
        guard let box = box(of: instance), var generator = box.plugin as? any Generator else {
            throw PluginError.state("not a generator instance")
        }
        guard let schema, let array else { throw PluginError.invalidArgument("fit() needs a table") }
        let table = try ArrowImport.importTable(schema: schema, array: array)
        try generator.fit(table, context: PluginContext(host: host))
        box.plugin = generator
    }
}

private func generatorSample(_ instance: UnsafeMutablePointer<synth_instance>?, _ host: UnsafePointer<synth_host>?,
                             _ rows: Int64, _ outSchema: UnsafeMutablePointer<ArrowSchema>?,
                             _ outArray: UnsafeMutablePointer<ArrowArray>?,
                             _ error: UnsafeMutablePointer<synth_error>?) -> synth_status {
    guarded(error) {
        guard let box = box(of: instance), var generator = box.plugin as? any Generator else {
            throw PluginError.state("not a generator instance")
        }
        guard let outSchema, let outArray else { throw PluginError.invalidArgument("sample() needs out pointers") }
        guard rows >= 0 else { throw PluginError.invalidArgument("cannot sample \(rows) rows") }
        let table = try generator.sample(rows: Int(rows), context: PluginContext(host: host))
        box.plugin = generator
        guard table.rowCount == Int(rows) else {
            throw PluginError.internal("generator made \(table.rowCount) rows, \(rows) were asked for")
        }
        ArrowExport.export(table, schema: outSchema, array: outArray)
    }
}

private func generatorSampleConditional(_ instance: UnsafeMutablePointer<synth_instance>?, _ host: UnsafePointer<synth_host>?,
                                        _ rows: Int64, _ column: UnsafePointer<CChar>?, _ value: UnsafePointer<CChar>?,
                                        _ outSchema: UnsafeMutablePointer<ArrowSchema>?, _ outArray: UnsafeMutablePointer<ArrowArray>?,
                                        _ error: UnsafeMutablePointer<synth_error>?) -> synth_status {
    guarded(error) {
        guard let box = box(of: instance), var generator = box.plugin as? any ConditionalGenerator else {
            throw PluginError.unsupported("this generator does not sample conditionally")
        }
        guard let outSchema, let outArray, let column, let value else { throw PluginError.invalidArgument("sample_conditional() needs its pointers") }
        guard rows >= 0 else { throw PluginError.invalidArgument("cannot sample \(rows) rows") }
        let table = try generator.sample(rows: Int(rows), where: String(cString: column), equals: String(cString: value),
                                         context: PluginContext(host: host))
        box.plugin = generator
        guard table.rowCount == Int(rows) else {
            throw PluginError.internal("generator made \(table.rowCount) rows, \(rows) were asked for")
        }
        ArrowExport.export(table, schema: outSchema, array: outArray)
    }
}

private func generatorSaveState(_ instance: UnsafeMutablePointer<synth_instance>?, _ host: UnsafePointer<synth_host>?,
                                _ sink: synth_byte_sink?, _ sinkContext: UnsafeMutableRawPointer?,
                                _ error: UnsafeMutablePointer<synth_error>?) -> synth_status {
    guarded(error) {
        guard let box = box(of: instance), let generator = box.plugin as? any PersistentGenerator else {
            throw PluginError.unsupported("this generator cannot save its model")
        }
        guard let sink else { throw PluginError.invalidArgument("save() needs a sink") }
        let bytes = try generator.saveState(context: PluginContext(host: host))
        bytes.withUnsafeBufferPointer { sink(sinkContext, $0.baseAddress, UInt64($0.count)) }
    }
}

private func generatorLoadState(_ instance: UnsafeMutablePointer<synth_instance>?, _ host: UnsafePointer<synth_host>?,
                                _ bytes: UnsafePointer<UInt8>?, _ count: UInt64,
                                _ error: UnsafeMutablePointer<synth_error>?) -> synth_status {
    guarded(error) {
        guard let box = box(of: instance), var generator = box.plugin as? any PersistentGenerator else {
            throw PluginError.unsupported("this generator cannot load a saved model")
        }
        guard let bytes else { throw PluginError.invalidArgument("load() needs bytes") }
        try generator.loadState(Array(UnsafeBufferPointer(start: bytes, count: Int(count))), context: PluginContext(host: host))
        box.plugin = generator
    }
}

private func validatorValidate(_ instance: UnsafeMutablePointer<synth_instance>?, _ host: UnsafePointer<synth_host>?,
                               _ input: UnsafePointer<synth_validation_input>?, _ sink: synth_metric_sink?,
                               _ sinkContext: UnsafeMutableRawPointer?, _ error: UnsafeMutablePointer<synth_error>?) -> synth_status {
    guarded(error) {
        guard let box = box(of: instance), let validator = box.plugin as? any Validator else {
            throw PluginError.state("not a validator instance")
        }
        guard let input, let sink, let realSchema = input.pointee.real_schema, let real = input.pointee.real,
              let syntheticSchema = input.pointee.synthetic_schema, let synthetic = input.pointee.synthetic else {
            throw PluginError.invalidArgument("validate() needs the real and synthetic tables and a sink")
        }
        var holdout: Table?
        if let holdoutSchema = input.pointee.holdout_schema, let holdoutArray = input.pointee.holdout {
            holdout = try ArrowImport.importTable(schema: holdoutSchema, array: holdoutArray)
        }
        let tables = ValidationInput(
            real: try ArrowImport.importTable(schema: realSchema, array: real),
            synthetic: try ArrowImport.importTable(schema: syntheticSchema, array: synthetic),
            holdout: holdout, target: input.pointee.target.map { String(cString: $0) })
        for metric in try validator.validate(tables, context: PluginContext(host: host)) {
            let goal: synth_goal = switch metric.goal {
            case .maximize: SYNTH_GOAL_MAXIMIZE
            case .minimize: SYNTH_GOAL_MINIMIZE
            case .nearest: SYNTH_GOAL_NEAREST
            case .none: SYNTH_GOAL_NONE
            }
            metric.name.withCString { name in
                func emit(_ column: UnsafePointer<CChar>?, _ reason: UnsafePointer<CChar>?) {
                    var record = synth_metric(struct_size: UInt32(MemoryLayout<synth_metric>.size), name: name, column: column,
                                              value: metric.value, goal: goal,
                                              min: metric.range.lowerBound, max: metric.range.upperBound,
                                              not_applicable: reason, target: metric.goal.target ?? .nan)
                    sink(sinkContext, &record)
                }
                withOptionalCString(metric.column) { column in
                    withOptionalCString(metric.notApplicable) { reason in emit(column, reason) }
                }
            }
        }
    }
}

private func privacySpent(_ instance: UnsafePointer<synth_instance>?, _ epsilon: UnsafeMutablePointer<Double>?,
                          _ delta: UnsafeMutablePointer<Double>?) {
    guard let mechanism = box(of: instance)?.plugin as? any PrivacyMechanism else { return }
    epsilon?.pointee = mechanism.spent.epsilon
    delta?.pointee = mechanism.spent.delta
}

private func privacyBudget(_ instance: UnsafePointer<synth_instance>?, _ epsilon: UnsafeMutablePointer<Double>?,
                           _ delta: UnsafeMutablePointer<Double>?) {
    guard let mechanism = box(of: instance)?.plugin as? any PrivacyMechanism else { return }
    epsilon?.pointee = mechanism.budget.epsilon
    delta?.pointee = mechanism.budget.delta
}

/// Runs `body` on an instance's statistics mechanism, then stores the mechanism back (it is a value).
private func withStatistics<T>(_ instance: UnsafeMutablePointer<synth_instance>?,
                               _ body: (inout any StatisticsPrivacy) throws -> T) throws -> T {
    guard let box = box(of: instance), var mechanism = box.plugin as? any StatisticsPrivacy else {
        throw PluginError.state("not a statistics privacy instance")
    }
    let result = try body(&mechanism)
    box.plugin = mechanism
    return result
}

private func statisticsPlan(_ instance: UnsafeMutablePointer<synth_instance>?, _ host: UnsafePointer<synth_host>?,
                            _ queries: UInt32, _ error: UnsafeMutablePointer<synth_error>?) -> synth_status {
    guarded(error) {
        try withStatistics(instance) { try $0.plan(queries: Int(queries), context: PluginContext(host: host)) }
    }
}

private func statisticsPlanWeighted(_ instance: UnsafeMutablePointer<synth_instance>?, _ host: UnsafePointer<synth_host>?,
                                    _ weights: UnsafePointer<Double>?, _ count: UInt32,
                                    _ error: UnsafeMutablePointer<synth_error>?) -> synth_status {
    guarded(error) {
        guard let weights else { throw PluginError.invalidArgument("plan_weighted() needs its weights") }
        let given = Array(UnsafeBufferPointer(start: weights, count: Int(count)))
        try withStatistics(instance) { try $0.plan(weights: given, context: PluginContext(host: host)) }
    }
}

private func statisticsHistogram(_ instance: UnsafeMutablePointer<synth_instance>?, _ host: UnsafePointer<synth_host>?,
                                 _ counts: UnsafePointer<Double>?, _ count: UInt64, _ sensitivity: Double,
                                 _ out: UnsafeMutablePointer<Double>?, _ error: UnsafeMutablePointer<synth_error>?) -> synth_status {
    guarded(error) {
        guard let counts, let out else { throw PluginError.invalidArgument("histogram() needs input and output arrays") }
        let input = Array(UnsafeBufferPointer(start: counts, count: Int(count)))
        let noisy = try withStatistics(instance) { try $0.histogram(input, l1Sensitivity: sensitivity, context: PluginContext(host: host)) }
        guard noisy.count == input.count else { throw PluginError.internal("histogram answered \(noisy.count) cells for \(input.count)") }
        for index in noisy.indices { out[index] = noisy[index] }
    }
}

nonisolated(unsafe) let gradientInterface: UnsafeMutablePointer<synth_privacy_gradient_v1> = {
    let table = UnsafeMutablePointer<synth_privacy_gradient_v1>.allocate(capacity: 1)
    table.initialize(to: synth_privacy_gradient_v1(struct_size: UInt32(MemoryLayout<synth_privacy_gradient_v1>.size),
                                                   plan: gradientPlan, clip: gradientClip, noise: gradientNoise))
    return table
}()

private func gradientPlan(_ instance: UnsafeMutablePointer<synth_instance>?, _ host: UnsafePointer<synth_host>?,
                          _ examples: UInt64, _ batchSize: UInt64, _ epochs: UInt64, _ out: UnsafeMutablePointer<synth_gradient_plan>?,
                          _ error: UnsafeMutablePointer<synth_error>?) -> synth_status {
    guarded(error) {
        guard let box = box(of: instance), var mechanism = box.plugin as? any GradientPrivacy else {
            throw PluginError.state("not a gradient privacy instance")
        }
        guard let out else { throw PluginError.invalidArgument("plan() needs an out pointer") }
        let plan = try mechanism.plan(examples: Int(examples), batchSize: Int(batchSize), epochs: Int(epochs), context: PluginContext(host: host))
        box.plugin = mechanism
        out.pointee = synth_gradient_plan(struct_size: UInt32(MemoryLayout<synth_gradient_plan>.size), sampling_rate: plan.samplingRate,
                                          steps: UInt64(plan.steps), clip_norm: plan.clipNorm, noise_multiplier: plan.noiseMultiplier)
    }
}

private func gradientClip(_ instance: UnsafeMutablePointer<synth_instance>?, _ host: UnsafePointer<synth_host>?,
                          _ norms: UnsafePointer<Double>?, _ count: UInt64, _ factors: UnsafeMutablePointer<Double>?,
                          _ error: UnsafeMutablePointer<synth_error>?) -> synth_status {
    guarded(error) {
        guard let box = box(of: instance), let mechanism = box.plugin as? any GradientPrivacy else {
            throw PluginError.state("not a gradient privacy instance")
        }
        guard count == 0 || (norms != nil && factors != nil) else { throw PluginError.invalidArgument("clip() needs its arrays") }
        let result = mechanism.clipFactors(Array(UnsafeBufferPointer(start: norms, count: Int(count))))
        for (index, factor) in result.enumerated() { factors![index] = factor }
    }
}

private func gradientNoise(_ instance: UnsafeMutablePointer<synth_instance>?, _ host: UnsafePointer<synth_host>?,
                           _ sum: UnsafeMutablePointer<Float>?, _ count: UInt64, _ error: UnsafeMutablePointer<synth_error>?) -> synth_status {
    guarded(error) {
        guard let box = box(of: instance), var mechanism = box.plugin as? any GradientPrivacy else {
            throw PluginError.state("not a gradient privacy instance")
        }
        guard count == 0 || sum != nil else { throw PluginError.invalidArgument("noise() needs the sum") }
        var values = Array(UnsafeBufferPointer(start: sum, count: Int(count)))
        try mechanism.noise(&values, context: PluginContext(host: host))
        box.plugin = mechanism
        for (index, value) in values.enumerated() { sum![index] = value }
    }
}

private func withOptionalCString<T>(_ text: String?, _ body: (UnsafePointer<CChar>?) throws -> T) rethrows -> T {
    guard let text else { return try body(nil) }
    return try text.withCString { try body($0) }
}
