package org.rlhf4j.core.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Sharded writes and reads through model.safetensors.index.json. */
class ShardedCheckpointTest {

    private static NDManager manager;

    @TempDir
    Path dir;

    @BeforeAll
    static void openManager() {
        manager = NDManager.newBaseManager();
    }

    @AfterAll
    static void closeManager() {
        manager.close();
    }

    /** Five tensors of 40, 24, 40, 8 and 100 bytes in float32 (212 in total). */
    private LinkedHashMap<String, NDArray> tensors() {
        manager.getEngine().setRandomSeed(11);
        LinkedHashMap<String, NDArray> t = new LinkedHashMap<>();
        t.put("t0", manager.randomNormal(new Shape(2, 5)));
        t.put("t1", manager.randomNormal(new Shape(6)));
        t.put("t2", manager.randomNormal(new Shape(10)));
        t.put("t3", manager.randomNormal(new Shape(2)));
        t.put("t4", manager.randomNormal(new Shape(5, 5)));
        return t;
    }

    @Test
    void writesGreedyShardsAndReadsThemBack() throws IOException {
        LinkedHashMap<String, NDArray> written = tensors();
        // limit 64 bytes: [t0 40 + t1 24 = 64] [t2 40 + t3 8 = 48] [t4 100, alone and over the limit]
        List<Path> files = ShardedCheckpoint.write(dir, written, SaveDtype.FLOAT32, 64);
        assertEquals(List.of(dir.resolve("model-00001-of-00003.safetensors"), dir.resolve("model-00002-of-00003.safetensors"),
                dir.resolve("model-00003-of-00003.safetensors"), dir.resolve(ShardedCheckpoint.INDEX_FILE)), files);
        assertFalse(Files.exists(dir.resolve(ShardedCheckpoint.SINGLE_FILE)));

        ShardIndex index = ShardIndex.read(dir.resolve(ShardedCheckpoint.INDEX_FILE));
        assertEquals(212, ((Number) index.metadata().get("total_size")).longValue());
        assertEquals("model-00002-of-00003.safetensors", index.weightMap().get("t3"));
        assertEquals(List.of("t2", "t3"),
                new ArrayList<>(SafetensorsReader.header(files.get(1)).tensors().keySet()));

        LinkedHashMap<String, NDArray> read = ShardedCheckpoint.read(dir, manager, DataType.FLOAT32);
        assertEquals(new ArrayList<>(written.keySet()), new ArrayList<>(read.keySet()));
        for (String name : written.keySet()) {
            assertEquals(written.get(name).getShape(), read.get(name).getShape());
            assertArrayEquals(written.get(name).toFloatArray(), read.get(name).toFloatArray(), name);
        }
    }

    @Test
    void writesOneFileWhenEverythingFits() throws IOException {
        // 212 bytes as float32 would need shards at 150, but as bfloat16 it is 106 bytes
        List<Path> files = ShardedCheckpoint.write(dir, tensors(), SaveDtype.BFLOAT16, 150);
        assertEquals(List.of(dir.resolve(ShardedCheckpoint.SINGLE_FILE)), files);
        assertFalse(Files.exists(dir.resolve(ShardedCheckpoint.INDEX_FILE)));
        assertEquals(5, ShardedCheckpoint.read(dir, manager, DataType.FLOAT32).size());
    }

    @Test
    void indexNamingAMissingShard() throws IOException {
        ShardedCheckpoint.write(dir, tensors(), SaveDtype.FLOAT32, 64);
        Files.delete(dir.resolve("model-00002-of-00003.safetensors"));
        IOException e = assertThrows(IOException.class, () -> ShardedCheckpoint.locate(dir));
        assertTrue(e.getMessage().contains("model-00002-of-00003.safetensors")
                && e.getMessage().contains("does not exist") && e.getMessage().contains("'t2'"), e.getMessage());
    }

    @Test
    void indexListingATensorItsShardLacks() throws IOException {
        ShardedCheckpoint.write(dir, tensors(), SaveDtype.FLOAT32, 64);
        // rewrite shard 2 without t3
        Path shard = dir.resolve("model-00002-of-00003.safetensors");
        SafetensorsWriter.write(shard, Map.of("t2", manager.zeros(new Shape(10))), SaveDtype.FLOAT32);
        IOException e = assertThrows(IOException.class, () -> ShardedCheckpoint.locate(dir));
        assertTrue(e.getMessage().contains("'t3'") && e.getMessage().contains(shard.toString())
                && e.getMessage().contains("does not hold it"), e.getMessage());
    }

    @Test
    void shardHoldingATensorTheIndexDoesNotList() throws IOException {
        ShardedCheckpoint.write(dir, tensors(), SaveDtype.FLOAT32, 64);
        Path shard = dir.resolve("model-00003-of-00003.safetensors");
        LinkedHashMap<String, NDArray> extra = new LinkedHashMap<>();
        extra.put("t4", manager.zeros(new Shape(5, 5)));
        extra.put("stray", manager.zeros(new Shape(1)));
        SafetensorsWriter.write(shard, extra, SaveDtype.FLOAT32);
        IOException e = assertThrows(IOException.class, () -> ShardedCheckpoint.locate(dir));
        assertTrue(e.getMessage().contains("'stray'") && e.getMessage().contains(shard.toString()), e.getMessage());
    }

    @Test
    void indexWithoutWeightMap() throws IOException {
        Path index = Files.writeString(dir.resolve(ShardedCheckpoint.INDEX_FILE), "{\"metadata\": {\"total_size\": 0}}");
        IOException e = assertThrows(IOException.class, () -> ShardedCheckpoint.locate(dir));
        assertTrue(e.getMessage().contains(index.toString()) && e.getMessage().contains("weight_map"), e.getMessage());
    }
}
