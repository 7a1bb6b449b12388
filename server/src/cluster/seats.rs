//! Seats for viewers: a cap on how many watch at once, in all and per client address, so no
//! crowd (or one client opening sockets in a loop) grows the panel without bound. A seat is
//! given back when dropped, however its viewer ends.

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::{Arc, Mutex, PoisonError};

pub struct Seats {
    max_viewers: usize,
    per_ip: usize,
    taken: Mutex<Taken>,
}

#[derive(Default)]
struct Taken {
    total: usize,
    per_ip: HashMap<IpAddr, usize>,
}

/// One viewer's place.
pub struct Seat {
    seats: Arc<Seats>,
    ip: IpAddr,
}

/// Why a viewer got no seat, with the limit it hit.
#[derive(Debug, PartialEq)]
pub enum Refusal {
    Full(usize),
    AddressFull(usize),
}

/// The key a client is counted under. An IPv6 client usually holds a whole /64, so that is
/// what counts as one address; an IPv4-mapped address counts as the IPv4 one.
fn client_key(ip: IpAddr) -> IpAddr {
    match ip.to_canonical() {
        IpAddr::V6(v6) => IpAddr::V6((u128::from(v6) & !u128::from(u64::MAX)).into()),
        v4 => v4,
    }
}

impl Seats {
    pub fn new(max_viewers: usize, per_ip: usize) -> Arc<Seats> {
        Arc::new(Seats {
            max_viewers,
            per_ip,
            taken: Mutex::default(),
        })
    }

    pub fn take(self: &Arc<Self>, ip: IpAddr) -> Result<Seat, Refusal> {
        let ip = client_key(ip);
        // Nothing panics under this lock; recovering from poison costs nothing regardless.
        let mut taken = self.taken.lock().unwrap_or_else(PoisonError::into_inner);
        if taken.total >= self.max_viewers {
            return Err(Refusal::Full(self.max_viewers));
        }
        let mine = taken.per_ip.entry(ip).or_default();
        if *mine >= self.per_ip {
            return Err(Refusal::AddressFull(self.per_ip));
        }
        *mine += 1;
        taken.total += 1;
        Ok(Seat {
            seats: self.clone(),
            ip,
        })
    }
}

impl Drop for Seat {
    fn drop(&mut self) {
        let mut taken = self
            .seats
            .taken
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        taken.total -= 1;
        if let Some(mine) = taken.per_ip.get_mut(&self.ip) {
            *mine -= 1;
            if *mine == 0 {
                taken.per_ip.remove(&self.ip);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(text: &str) -> IpAddr {
        text.parse().expect("an address")
    }

    #[test]
    fn seats_are_capped_in_all_and_per_address_and_given_back() {
        let seats = Seats::new(3, 2);
        let first = seats.take(ip("10.0.0.1")).expect("a free seat");
        let second = seats.take(ip("10.0.0.1")).expect("a free seat");
        assert_eq!(
            seats.take(ip("10.0.0.1")).err(),
            Some(Refusal::AddressFull(2))
        );
        let other = seats.take(ip("10.0.0.2")).expect("another address");
        assert_eq!(seats.take(ip("10.0.0.3")).err(), Some(Refusal::Full(3)));
        drop(first);
        let again = seats.take(ip("10.0.0.3"));
        assert!(again.is_ok(), "a seat given back is free again");
        drop((again, second, other));
        let taken = seats.taken.lock().expect("unpoisoned");
        assert_eq!(taken.total, 0);
        assert!(
            taken.per_ip.is_empty(),
            "no address is remembered once gone"
        );
    }

    #[test]
    fn an_ipv6_client_counts_by_its_64_and_a_mapped_ipv4_as_ipv4() {
        assert_eq!(
            client_key(ip("2001:db8::1")),
            client_key(ip("2001:db8::ff:1"))
        );
        assert_ne!(
            client_key(ip("2001:db8::1")),
            client_key(ip("2001:db8:0:1::1"))
        );
        assert_eq!(client_key(ip("::ffff:10.0.0.1")), ip("10.0.0.1"));
    }
}
