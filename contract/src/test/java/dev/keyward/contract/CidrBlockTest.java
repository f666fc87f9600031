package dev.keyward.contract;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class CidrBlockTest {

    @Test
    void ipv4RangesAndSingleAddresses() {
        CidrBlock ten = CidrBlock.parse("10.0.0.0/8");
        assertThat(ten.contains("10.1.2.3")).isTrue();
        assertThat(ten.contains("11.0.0.1")).isFalse();
        assertThat(CidrBlock.parse("192.168.1.7").contains("192.168.1.7")).isTrue();
        assertThat(CidrBlock.parse("192.168.1.7").contains("192.168.1.8")).isFalse();
        assertThat(CidrBlock.parse("172.16.0.0/12").contains("172.31.255.255")).isTrue();
        assertThat(CidrBlock.parse("172.16.0.0/12").contains("172.32.0.0")).isFalse();
        assertThat(CidrBlock.parse("0.0.0.0/0").contains("8.8.8.8")).isTrue();
        assertThat(CidrBlock.parse("10.0.0.5/8")).isEqualTo(ten);
    }

    @Test
    void ipv6RangesAndMappedIpv4Clients() {
        CidrBlock doc = CidrBlock.parse("2001:db8::/32");
        assertThat(doc.contains("2001:db8:1::1")).isTrue();
        assertThat(doc.contains("[2001:db8::42]")).isTrue();
        assertThat(doc.contains("2001:db9::1")).isFalse();
        assertThat(doc.contains("10.0.0.1")).isFalse();
        assertThat(CidrBlock.parse("::1/128").contains("0:0:0:0:0:0:0:1")).isTrue();
        assertThat(CidrBlock.parse("10.0.0.0/8").contains("::ffff:10.9.9.9")).isTrue();
    }

    @Test
    void refusesNonLiteralsWithoutLookingThemUp() {
        assertThatThrownBy(() -> CidrBlock.parse("example.com/8")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> CidrBlock.parse("10.0.0.0/33")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> CidrBlock.parse("10.0.0/8")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> CidrBlock.parse("::/129")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> CidrBlock.parse("10.0.0.0/-1")).isInstanceOf(IllegalArgumentException.class);
        assertThat(CidrBlock.parse("10.0.0.0/8").contains("localhost")).isFalse();
        assertThat(CidrBlock.parse("10.0.0.0/8").contains(null)).isFalse();
        assertThatThrownBy(() -> CidrBlock.parse("300.1.1.1/8")).isInstanceOf(IllegalArgumentException.class);
        assertThat(CidrBlock.parse("10.0.0.0/8").contains("10.0.0.256")).isFalse();
    }

    @Test
    void canonicalFormIsTheNetworkAndItsLength() {
        assertThat(CidrBlock.parse(" 192.168.0.1 ").canonical()).isEqualTo("192.168.0.1/32");
        assertThat(CidrBlock.parse("10.1.2.3/8").canonical()).isEqualTo("10.0.0.0/8");
        assertThat(CidrBlock.parse("::1").canonical()).isEqualTo("0:0:0:0:0:0:0:1/128");
    }

    @Test
    void aBlockEnclosesOnlyNarrowerBlocksOfItsOwnFamily() {
        CidrBlock net = CidrBlock.parse("10.1.0.0/16");
        assertThat(net.encloses(CidrBlock.parse("10.1.2.0/24"))).isTrue();
        assertThat(net.encloses(CidrBlock.parse("10.1.2.3"))).isTrue();
        assertThat(net.encloses(net)).isTrue();
        assertThat(net.encloses(CidrBlock.parse("10.0.0.0/8"))).isFalse();
        assertThat(net.encloses(CidrBlock.parse("10.2.0.0/24"))).isFalse();
        assertThat(CidrBlock.parse("2001:db8::/32").encloses(net)).as("another family").isFalse();
        assertThat(CidrBlock.parse("0.0.0.0/0").encloses(CidrBlock.parse("::/0"))).isFalse();
    }
}
