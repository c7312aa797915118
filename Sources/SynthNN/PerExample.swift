import SynthMath

/// Per-example gradients of a Linear layer without a backward pass per example: with the layer's
/// input activations A (batch × in) and the errors E = ∂L/∂output (batch × out) of a loss that is
/// a sum over examples, example i's gradient is aᵢᵀeᵢ for the weight and eᵢ for the bias
/// (Goodfellow 2015, "Efficient per-example gradient computations").
public enum PerExampleGradients {
    /// Each example's weight gradient, flattened row-major (batch × in·out), and bias gradient
    /// (batch × out).
    public static func linear(input: Tensor, outputGradient: Tensor) -> (weight: Tensor, bias: Tensor) {
        precondition(input.rows == outputGradient.rows, "per-example gradients: \(input.rows) inputs, \(outputGradient.rows) errors")
        let batch = input.rows, inputs = input.columns, outputs = outputGradient.columns
        var weight = [Float](repeating: 0, count: batch * inputs * outputs)
        input.data.withUnsafeBufferPointer { a in
            outputGradient.data.withUnsafeBufferPointer { e in
                weight.withUnsafeMutableBufferPointer { w in
                    for i in 0..<batch {
                        let base = i * inputs * outputs
                        for p in 0..<inputs {
                            let ap = a[i * inputs + p]
                            let row = base + p * outputs
                            for q in 0..<outputs { w[row + q] = ap * e[i * outputs + q] }
                        }
                    }
                }
            }
        }
        return (Tensor(rows: batch, columns: inputs * outputs, data: weight), outputGradient.detached())
    }

    /// Each example's squared gradient norm over the weight and the bias: ‖aᵢ‖²‖eᵢ‖² + ‖eᵢ‖²,
    /// without forming the gradients.
    public static func linearSquaredNorms(input: Tensor, outputGradient: Tensor) -> [Float] {
        (0..<input.rows).map { i in
            var a2: Float = 0, e2: Float = 0
            for p in 0..<input.columns { let x = input.data[i * input.columns + p]; a2 += x * x }
            for q in 0..<outputGradient.columns { let x = outputGradient.data[i * outputGradient.columns + q]; e2 += x * x }
            return a2 * e2 + e2
        }
    }

    /// Σᵢ scaleᵢ · gradientᵢ for the weight (in × out) and the bias (1 × out) with one matrix
    /// product: Aᵀ · diag(scale) · E. DP-SGD clips with scaleᵢ = min(1, C / ‖gᵢ‖).
    public static func linearWeightedSum(input: Tensor, outputGradient: Tensor, scales: [Float]) -> (weight: Tensor, bias: Tensor) {
        precondition(scales.count == input.rows, "\(scales.count) scales for \(input.rows) examples")
        return GradMode.noGrad {
            let scaled = outputGradient.detached() * Tensor(rows: scales.count, columns: 1, data: scales)
            return (input.detached().matmul(scaled, transposeSelf: true), scaled.sum(axis: 0))
        }
    }
}
