package org.rlhf4j.core.kernels;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class TorchBridgeTest {

    private NDManager root;

    @BeforeEach
    void open() {
        root = NDManager.newBaseManager();
    }

    @AfterEach
    void close() {
        root.close();
    }

    @Test
    void statusFollowsTheSwitch() {
        boolean asked = TorchBridge.requested().startsWith("javacpp");
        assertEquals(asked, TorchBridge.active(), TorchBridge.status().description());
        assertTrue(TorchBridge.status().description().startsWith(asked ? "active" : "inactive"));
    }

    @Test
    void aBorrowedViewSharesStorageAndFreesNothing() {
        KernelParity.requireBridge();
        NDArray a = root.create(new float[] {1, 2, 3});
        Tensor view = TorchBridge.borrow(a);
        assertEquals(1, view.use_count(), "a view is DJL's at::Tensor itself, not another reference");
        view.add_(torch.ones(3)); // in place through the view: DJL sees it, no copy was made
        view.close();
        System.gc();
        assertArrayEquals(new float[] {2, 3, 4}, a.toFloatArray());
        assertEquals(1, TorchBridge.borrow(a).use_count());
    }

    @Test
    void anAdoptedResultIsOwnedByDjlAlone() {
        KernelParity.requireBridge();
        NDArray a = root.create(new float[] {1, -2});
        Tensor result = torch.mul(TorchBridge.borrow(a), TorchBridge.borrow(a)); // JavaCPP-allocated
        NDArray adopted = TorchBridge.adopt(result, root);
        assertTrue(result.isNull(), "JavaCPP's own reference is freed at once");
        System.gc(); // no JavaCPP deallocator may still run on what DJL now owns
        assertEquals(1, TorchBridge.borrow(adopted).use_count(), "DJL's array holds the only reference");
        assertArrayEquals(new float[] {1, 4}, adopted.toFloatArray());
        assertTrue(root.getManagedArrays().contains(adopted), "the manager frees it when it closes");
        adopted.close(); // freed once, by DJL
        assertArrayEquals(new float[] {1, -2}, a.toFloatArray());
    }

    @Test
    void adoptingInsideAPointerScopeIsRefused() {
        KernelParity.requireBridge();
        NDArray a = root.create(new float[] {1});
        Tensor result = torch.neg(TorchBridge.borrow(a));
        try (PointerScope scope = new PointerScope()) {
            assertThrows(IllegalStateException.class, () -> TorchBridge.adopt(result, root));
        }
    }
}
