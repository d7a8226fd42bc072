//! Who is on the other end: the client address of a request (taking
//! `X-Forwarded-For` only from configured `trusted_proxies`), and the key
//! under which per-address limits count it (an IPv6 client by its /64,
//! since one host commonly holds a whole /64).

use ipnet::IpNet;
use std::net::{IpAddr, Ipv6Addr};

/// The request extension the server's first layer stores: the client's
/// address as this request is judged by.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ClientAddr(pub IpAddr);

/// The proxies whose `X-Forwarded-For` is believed (configuration key
/// `trusted_proxies`, CIDRs; empty by default, so the header is ignored).
#[derive(Clone, Debug, Default)]
pub struct TrustedProxies(Vec<IpNet>);

impl TrustedProxies {
    /// Parses CIDRs (`10.0.0.0/8`, `::1/128`) or single addresses.
    pub fn parse<S: AsRef<str>>(entries: &[S]) -> Result<TrustedProxies, String> {
        entries
            .iter()
            .map(|entry| {
                let entry = entry.as_ref().trim();
                entry
                    .parse::<IpNet>()
                    .or_else(|_| entry.parse::<IpAddr>().map(IpNet::from))
                    .map_err(|_| format!("trusted_proxies: {entry:?} is not an address or CIDR"))
            })
            .collect::<Result<Vec<_>, _>>()
            .map(TrustedProxies)
    }

    fn trusts(&self, ip: IpAddr) -> bool {
        self.0.iter().any(|net| net.contains(&canonical(ip)))
    }

    /// The client address: the peer itself, unless the peer is a trusted
    /// proxy, in which case the rightmost `X-Forwarded-For` hop that is not
    /// a trusted proxy (hops further left were written by the client and
    /// prove nothing). A malformed hop stops the walk at the last good one.
    pub fn client_of<'a>(&self, peer: IpAddr, forwarded_for: impl Iterator<Item = &'a str>) -> IpAddr {
        let mut client = canonical(peer);
        if !self.trusts(client) {
            return client;
        }
        let hops: Vec<&str> = forwarded_for.flat_map(|h| h.split(',')).map(str::trim).collect();
        for hop in hops.iter().rev() {
            let Ok(ip) = hop.parse::<IpAddr>() else { break };
            client = canonical(ip);
            if !self.trusts(client) {
                break;
            }
        }
        client
    }
}

/// IPv4-mapped IPv6 addresses (`::ffff:1.2.3.4`) as the IPv4 they are.
fn canonical(ip: IpAddr) -> IpAddr {
    match ip {
        IpAddr::V6(v6) => v6.to_ipv4_mapped().map(IpAddr::V4).unwrap_or(ip),
        v4 => v4,
    }
}

/// The key per-address limits count under: an IPv4 address itself, an
/// IPv6 address by its /64 network. Text that is not an address is kept
/// as it is.
pub fn rate_key(ip: &str) -> String {
    match ip.parse::<IpAddr>().map(canonical) {
        Ok(IpAddr::V6(v6)) => {
            let s = v6.segments();
            format!("{}/64", Ipv6Addr::new(s[0], s[1], s[2], s[3], 0, 0, 0, 0))
        }
        Ok(v4) => v4.to_string(),
        Err(_) => ip.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap()
    }

    #[test]
    fn ipv6_counts_by_its_64() {
        assert_eq!(rate_key("2001:db8:1:2:aaaa::1"), "2001:db8:1:2::/64");
        assert_eq!(rate_key("2001:db8:1:2:ffff:ffff:ffff:ffff"), "2001:db8:1:2::/64");
        assert_ne!(rate_key("2001:db8:1:3::1"), rate_key("2001:db8:1:2::1"));
        assert_eq!(rate_key("203.0.113.7"), "203.0.113.7");
        assert_eq!(rate_key("::ffff:203.0.113.7"), "203.0.113.7");
    }

    #[test]
    fn forwarded_for_only_from_trusted_proxies() {
        let none = TrustedProxies::default();
        assert_eq!(none.client_of(ip("10.0.0.2"), ["198.51.100.9"].into_iter()), ip("10.0.0.2"));

        let proxies = TrustedProxies::parse(&["10.0.0.0/8", "::1"]).unwrap();
        // An untrusted peer's header is ignored.
        assert_eq!(proxies.client_of(ip("203.0.113.5"), ["198.51.100.9"].into_iter()), ip("203.0.113.5"));
        // The rightmost untrusted hop wins; a spoofed leftmost one does not.
        let header = ["1.1.1.1, 198.51.100.9, 10.0.0.7"];
        assert_eq!(proxies.client_of(ip("10.0.0.2"), header.into_iter()), ip("198.51.100.9"));
        // Several header lines are one list.
        assert_eq!(proxies.client_of(ip("::1"), ["1.1.1.1", "198.51.100.9"].into_iter()), ip("198.51.100.9"));
        // Garbage stops the walk at the last good hop.
        assert_eq!(proxies.client_of(ip("10.0.0.2"), ["198.51.100.9, junk"].into_iter()), ip("10.0.0.2"));
        // No header: the proxy itself.
        assert_eq!(proxies.client_of(ip("10.0.0.2"), std::iter::empty()), ip("10.0.0.2"));
        assert!(TrustedProxies::parse(&["not-a-net"]).is_err());
    }
}
