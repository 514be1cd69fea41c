/// Why a model could not be built or run: names the tensor, size or option and what to do.
public struct ModelError: Error, CustomStringConvertible, Equatable {
    /// What the user reads.
    public let description: String

    /// A tensor the model needs is not in the weights.
    public static func missingTensor(_ name: String, expected: [Int]) -> ModelError {
        ModelError(description: "weights have no tensor '\(name)' (the model needs shape \(expected)); check that the file is a checkpoint of this model")
    }

    /// A tensor has a different shape than the model needs.
    public static func misshapedTensor(_ name: String, expected: [Int], found: [Int]) -> ModelError {
        ModelError(description: "tensor '\(name)' has shape \(found), the model needs \(expected); check that the file is a checkpoint of this model")
    }

    /// The input size cannot go through the network and its pooling.
    public static func badInputSize(height: Int, width: Int, reason: String) -> ModelError {
        ModelError(description: "input size \(height)x\(width) is not usable: \(reason)")
    }

    /// The image data handed to `embed` does not match the batch.
    public static func badBatch(_ reason: String) -> ModelError {
        ModelError(description: "bad batch: \(reason)")
    }
}
