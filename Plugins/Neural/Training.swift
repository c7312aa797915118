import SynthKit
import SynthMath
import SynthNN

// What ctgan and tvae share while training and sampling.

/// The encoded rows at `indices` (of a row-major matrix `width` wide) as a tensor.
func gatherRows(_ encoded: [Float], width: Int, _ indices: some Collection<Int>) -> Tensor {
    var data = [Float](repeating: 0, count: indices.count * width)
    encoded.withUnsafeBufferPointer { source in
        data.withUnsafeMutableBufferPointer { target in
            for (row, index) in indices.enumerated() {
                for k in 0..<width { target[row * width + k] = source[index * width + k] }
            }
        }
    }
    return Tensor(rows: indices.count, columns: width, data: data)
}

/// The position of the largest value of `data[row]` within `start..<start + count`.
func argmax(_ data: [Float], row: Int, width: Int, _ start: Int, _ count: Int) -> Int {
    var best = 0, value = data[row * width + start]
    for k in 1..<Swift.max(count, 1) where data[row * width + start + k] > value {
        best = k
        value = data[row * width + start + k]
    }
    return best
}

/// Encoded rows (`width` wide) whose span `span` has its largest value at `level`, drawn by
/// rejection from `generate(count)` for at most 100 rounds; the error when too few come out names
/// the plugin and the condition, how often the model made it, and what to do (`advice`).
func rejectionSample(rows: Int, batch: Int, width: Int, span: (start: Int, width: Int), level: Int, plugin: String, condition: String,
                     advice: String, generate: (Int) throws -> [Float]) throws -> [Float] {
    var kept: [Float] = []
    var count = 0, drawn = 0
    for _ in 0..<100 where count < rows {
        let want = Swift.max(rows - count, batch)
        let data = try generate(want)
        drawn += want
        for row in 0..<want where count < rows && argmax(data, row: row, width: width, span.start, span.width) == level {
            kept.append(contentsOf: data[(row * width)..<((row + 1) * width)])
            count += 1
        }
    }
    guard count == rows else {
        let rate = count == 0 ? "none of them had it" : "about 1 in \(drawn / count) had it"
        throw PluginError.invalidArgument("\(plugin) made only \(count) of \(rows) rows with \(condition) in \(drawn) draws (\(rate)): "
                                          + "the model makes that category too rarely to sample \(rows) rows given it; \(advice)")
    }
    return kept
}

/// DP-SGD's Poisson sampling: every one of `n` examples joins the batch with probability `rate`.
func poissonSample(_ n: Int, rate: Double, random: inout Philox) -> [Int] {
    (0..<n).filter { _ in random.nextUniform() < rate }
}

/// One DP-SGD step's end: the clipped sums (one per parameter, in order) become one vector, the
/// mechanism noises it and accounts the step, and each parameter's gradient is its part divided by
/// the expected batch size.
func setNoisyGradients(_ sums: [[Float]], of parameters: [Tensor], privacy: GradientPrivacyClient, expectedBatch: Float) throws {
    var flat = sums.flatMap { $0 }
    try privacy.noise(&flat)
    var offset = 0
    for parameter in parameters {
        parameter.grad = Tensor(rows: parameter.rows, columns: parameter.columns,
                                data: flat[offset..<(offset + parameter.count)].map { $0 / expectedBatch })
        offset += parameter.count
    }
}

/// The epoch a private run has just finished after `step` (counted from 0) of `steps`, reporting
/// every `perEpoch` steps and at the end; nil between.
func finishedEpoch(step: Int, of steps: Int, perEpoch: Int) -> Int? {
    guard (step + 1) % perEpoch == 0 || step + 1 == steps else { return nil }
    return (step + perEpoch) / perEpoch
}
