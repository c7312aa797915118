/// Reverse-mode differentiation over the recorded operations.
public enum Autodiff {
    /// The tensors whose gradients the running backward pass needs (nil: every one that requires
    /// a gradient). Operations ask through `Tensor.needsGradient`.
    @TaskLocal static var wanted: Set<ObjectIdentifier>?

    /// The gradients of `output` (a scalar, or any tensor with `seed` as the gradient flowing into
    /// it) with respect to `inputs`. With `createGraph`, the backward pass is itself recorded, so the
    /// gradients can be differentiated again. An input that `output` does not depend on gets zeros.
    public static func gradients(of output: Tensor, with inputs: [Tensor], seed: Tensor? = nil,
                                 createGraph: Bool = false) -> [Tensor] {
        var leaves: [Tensor] = []
        let grads = propagate(from: output, seed: seed, createGraph: createGraph, keep: Set(inputs.map(ObjectIdentifier.init)), leaves: &leaves)
        return inputs.map { grads[ObjectIdentifier($0)] ?? Tensor.zeros($0.rows, $0.columns) }
    }

    /// Adds the gradient of `output` to `grad` of every leaf that requires it (the parameters).
    public static func backward(_ output: Tensor, seed: Tensor? = nil) {
        var leaves: [Tensor] = []
        let grads = propagate(from: output, seed: seed, createGraph: false, keep: nil, leaves: &leaves)
        accumulate(grads, into: leaves)
    }

    /// Adds the gradient of `output` to `grad` of `parameters` only. Other parameters that
    /// `output` depends on are left alone and their gradients are not computed (a generator's
    /// loss goes through the discriminator, whose own gradients that step does not use).
    public static func backward(_ output: Tensor, into parameters: [Tensor], seed: Tensor? = nil) {
        var leaves: [Tensor] = []
        let grads = propagate(from: output, seed: seed, createGraph: false, keep: Set(parameters.map(ObjectIdentifier.init)), leaves: &leaves)
        accumulate(grads, into: parameters)
    }

    /// Adds each tensor's gradient, where `grads` has one, to its `grad`.
    private static func accumulate(_ grads: [ObjectIdentifier: Tensor], into tensors: [Tensor]) {
        GradMode.noGrad {
            for tensor in tensors {
                guard let gradient = grads[ObjectIdentifier(tensor)] else { continue }
                tensor.grad = tensor.grad.map { $0 + gradient } ?? gradient.detached()
            }
        }
    }

    private static func propagate(from output: Tensor, seed: Tensor?, createGraph: Bool, keep: Set<ObjectIdentifier>?,
                                  leaves: inout [Tensor]) -> [ObjectIdentifier: Tensor] {
        precondition(seed != nil || output.isScalar, "the gradient of a \(output.rows)×\(output.columns) tensor needs a seed")
        // Topological order of the tensors that need gradients (depth-first, iterative).
        var order: [Tensor] = []
        var visited = Set<ObjectIdentifier>()
        var stack: [(Tensor, Bool)] = [(output, false)]
        while let (tensor, expanded) = stack.popLast() {
            let id = ObjectIdentifier(tensor)
            if expanded { order.append(tensor); continue }
            guard tensor.requiresGrad, visited.insert(id).inserted else { continue }
            stack.append((tensor, true))
            if let node = tensor.node {
                for input in node.inputs where input.requiresGrad && !visited.contains(ObjectIdentifier(input)) {
                    stack.append((input, false))
                }
            } else {
                leaves.append(tensor)
            }
        }
        // With targets, only the tensors that lie on a path from a target to the output need a
        // gradient: the others (the parameters, when a penalty asks for the gradient with respect
        // to an input) are left out, and the operations skip computing theirs.
        var relevant: Set<ObjectIdentifier>?
        if let keep {
            var set = Set<ObjectIdentifier>()
            for tensor in order {   // inputs come before the tensors made from them
                let id = ObjectIdentifier(tensor)
                if keep.contains(id) || (tensor.node?.inputs.contains { set.contains(ObjectIdentifier($0)) } ?? false) { set.insert(id) }
            }
            relevant = set
        }
        var grads: [ObjectIdentifier: Tensor] = [ObjectIdentifier(output): seed ?? Tensor(scalar: 1)]
        GradMode.with(recording: createGraph) {
            $wanted.withValue(relevant) {
                for tensor in order.reversed() {
                    let id = ObjectIdentifier(tensor)
                    guard let node = tensor.node, let gradient = grads[id] else { continue }
                    if let keep, !keep.contains(id) { grads[id] = nil }
                    if let relevant, !relevant.contains(id) { continue }
                    let inputGrads = node.backward(gradient, tensor)
                    for (input, inputGrad) in zip(node.inputs, inputGrads) {
                        guard input.requiresGrad, let inputGrad else { continue }
                        let inputID = ObjectIdentifier(input)
                        if let relevant, !relevant.contains(inputID) { continue }
                        grads[inputID] = grads[inputID].map { $0 + inputGrad } ?? inputGrad
                    }
                }
            }
        }
        return grads
    }
}

extension Tensor {
    /// Whether the backward pass that is running needs this tensor's gradient: it requires one,
    /// and it lies on a path to a tensor the pass was asked about.
    var needsGradient: Bool {
        requiresGrad && (Autodiff.wanted.map { $0.contains(ObjectIdentifier(self)) } ?? true)
    }

    /// `Autodiff.backward(self)`: accumulates gradients into the parameters' `grad`.
    public func backward() { Autodiff.backward(self) }
}
