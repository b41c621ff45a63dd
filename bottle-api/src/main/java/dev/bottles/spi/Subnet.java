package dev.bottles.spi;

/**
 * One bottle's /24: the network, its gateway ({@code .1}) and the bundle's pinned address
 * ({@code .2}).
 *
 * @param first the first octet
 * @param second the second octet
 * @param third the third octet, the one chosen per bottle
 */
public record Subnet(int first, int second, int third) {

    /**
     * Validates the octets.
     *
     * @param first the first octet
     * @param second the second octet
     * @param third the third octet, the one chosen per bottle
     */
    public Subnet {
        if (first < 0 || first > 255 || second < 0 || second > 255 || third < 0 || third > 255) {
            throw new IllegalArgumentException("octets must be 0..255: " + first + "." + second + "." + third);
        }
    }

    /**
     * Returns the network in CIDR form.
     *
     * @return e.g. {@code 192.168.42.0/24}
     */
    public String cidr() {
        return prefix() + "0/24";
    }

    /**
     * Returns the gateway address.
     *
     * @return e.g. {@code 192.168.42.1}
     */
    public String gateway() {
        return prefix() + "1";
    }

    /**
     * Returns the bundle's pinned address.
     *
     * @return e.g. {@code 192.168.42.2}
     */
    public String bundleIp() {
        return prefix() + "2";
    }

    private String prefix() {
        return first + "." + second + "." + third + ".";
    }

    @Override
    public String toString() {
        return cidr();
    }
}
