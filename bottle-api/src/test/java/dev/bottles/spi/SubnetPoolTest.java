package dev.bottles.spi;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class SubnetPoolTest {

    @Test
    void preferredSubnetIsStableAndInsideTheOriginalsRange() {
        Subnet s = SubnetPool.DEFAULT.preferred("researcher-m3hxd");
        assertEquals(s, SubnetPool.DEFAULT.preferred("researcher-m3hxd"));
        assertEquals("192.168." + s.third() + ".0/24", s.cidr());
        assertEquals("192.168." + s.third() + ".1", s.gateway());
        assertEquals("192.168." + s.third() + ".2", s.bundleIp());
    }

    @Test
    void seventeenIsNeverChosenAndEveryOtherOctetIsReachable() {
        Map<Integer, Integer> counts = new HashMap<>();
        for (int i = 0; i < 50_000; i++) {
            int third = SubnetPool.DEFAULT.preferred("agent-" + i).third();
            counts.merge(third, 1, Integer::sum);
        }
        assertTrue(!counts.containsKey(17) && !counts.containsKey(0) && !counts.containsKey(255), counts.toString());
        assertEquals(253, counts.size(), "every octet of 1..254 but 17 is used");
        int min = counts.values().stream().mapToInt(Integer::intValue).min().orElseThrow();
        int max = counts.values().stream().mapToInt(Integer::intValue).max().orElseThrow();
        assertTrue(min > 100 && max < 300, "roughly uniform, ~198 each: min " + min + " max " + max);
    }

    @Test
    void candidatesStartAtThePreferredOneAndWrapWithoutRepeats() {
        List<Subnet> all = SubnetPool.DEFAULT.candidates("x-12345", 253);
        assertEquals(SubnetPool.DEFAULT.preferred("x-12345"), all.get(0));
        Set<Integer> thirds = new HashSet<>();
        for (int i = 0; i < all.size(); i++) {
            thirds.add(all.get(i).third());
            if (i > 0) {
                int prev = all.get(i - 1).third();
                int expected = prev == 254 ? 1 : prev == 16 ? 18 : prev + 1;
                assertEquals(expected, all.get(i).third(), "candidates step to the next octet");
            }
        }
        assertEquals(253, thirds.size());
        assertThrows(IllegalArgumentException.class, () -> SubnetPool.DEFAULT.candidates("x", 0));
        assertThrows(IllegalArgumentException.class, () -> SubnetPool.DEFAULT.candidates("x", 254));
    }

    @Test
    void thePoolIsConfigurable() {
        SubnetPool p = SubnetPool.parse("10.77.0.0/16");
        assertEquals(new SubnetPool(10, 77), p);
        assertEquals(p, SubnetPool.parse("10.77"));
        assertTrue(p.preferred("a-b").cidr().startsWith("10.77."));
        assertEquals(p, SubnetPool.from(new Settings(Map.of(SubnetPool.SETTING, "10.77"), Map.of())));
        assertEquals(SubnetPool.DEFAULT, SubnetPool.from(new Settings(Map.of(), Map.of())));
        assertThrows(IllegalArgumentException.class, () -> SubnetPool.parse("10.77.1.0/24"));
        assertThrows(IllegalArgumentException.class, () -> SubnetPool.parse("300.1"));
    }
}
