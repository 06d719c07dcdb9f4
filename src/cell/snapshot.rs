//! Bit-exact state snapshots with serde (the `serde` feature).
//!
//! A [`Snapshot`] borrows a cell's parameters and its six state buffers and
//! serializes them as a struct named `Snapshot` with the fields `params`
//! (the [`Config`](crate::Config)), then `j`, `v`, `s`, `thr`, `rfr` and
//! `tols`, each a sequence of `u32`: every `f32` is written as its bits
//! ([`f32::to_bits`]), so NaN payloads, signed zeros, infinities and
//! subnormals come back exactly, in any format, JSON included.
//!
//! Reading one back validates the parameters (as [`Config::validate`]
//! does) and checks every length against them:
//!
//! - [`Cell::restore`] writes the state into any [`StateStorage`]
//!   (caller-owned [`Buffers`], a [`Storage`](crate::Storage): no
//!   allocation, for firmware) and resumes a [`Cell`] over it;
//! - with `std`, [`OwnedSnapshot`] is a snapshot of any shape read into
//!   `Vec`s.
//!
//! [`Config::validate`]: crate::Config::validate
#![forbid(unsafe_code)]

use core::fmt;

use serde::de::{self, DeserializeSeed, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde::ser::{SerializeStruct, Serializer};
use serde::{Deserialize, Serialize};

use super::{Buffers, Cell, StateStorage};
use crate::error::{BufferName, Error, check_len};
use crate::params::Params;

/// The struct name a snapshot is written under.
const NAME: &str = "Snapshot";
/// Its fields, in the order they are written.
const FIELDS: &[&str] = &["params", "j", "v", "s", "thr", "rfr", "tols"];
/// What a snapshot is, for "expected ..." messages.
const EXPECTING: &str = "a wtas state snapshot: params and six buffers";
/// The six state buffers, in the order they are written.
const BUFFERS: [BufferName; 6] = BufferName::STATE;

/// A cell's state, borrowed, to serialize: its [`Params`] and the six
/// buffers `j`, `v`, `s`, `thr`, `rfr` and `tols`, every value written as
/// its `u32` bits.
///
/// Made by [`Cell::snapshot`] or [`Snapshot::new`]; read back by
/// [`Cell::restore`] or (with `std`) [`OwnedSnapshot`]. A restored
/// cell steps exactly as the original would have.
///
/// ```
/// use wtas::{Buffers, Cell, Config};
///
/// let params = Config::new(4).validate()?;
/// let mut mem = [0.0_f32; 24];
/// let mut cell = Cell::new(params, Buffers::from_slice(&mut mem, 4)?, 42)?;
/// cell.j_mut()[1] = f32::from_bits(0x7fc0_1234); // a NaN with a payload
/// let json = serde_json::to_string(&cell.snapshot()?).unwrap();
///
/// let mut copy = [1.0_f32; 24];
/// let mut de = serde_json::Deserializer::from_str(&json);
/// let restored = Cell::restore(&mut de, Buffers::from_slice(&mut copy, 4)?).unwrap();
/// assert_eq!(restored.params(), cell.params());
/// assert_eq!(restored.j()[1].to_bits(), 0x7fc0_1234);
/// assert!(restored.thr().iter().zip(cell.thr()).all(|(a, b)| a.to_bits() == b.to_bits()));
/// # Ok::<(), wtas::Error>(())
/// ```
#[cfg_attr(docsrs, doc(cfg(feature = "serde")))]
#[derive(Clone, Copy, Debug)]
pub struct Snapshot<'a> {
    params: Params,
    state: [&'a [f32]; 6],
}

impl<'a> Snapshot<'a> {
    /// A snapshot of `state`, in the order `[j, v, s, thr, rfr, tols]`
    /// (as [`StateStorage::view`] lends it), each of `params.len()`
    /// values.
    ///
    /// # Errors
    /// [`Error::Length`] naming the first buffer of another length.
    ///
    /// ```
    /// use wtas::{BufferName, Config, Error, Snapshot};
    ///
    /// let params = Config::new(4).validate()?;
    /// let (four, three) = ([0.0_f32; 4], [0.0_f32; 3]);
    /// assert!(Snapshot::new(params, [&four; 6]).is_ok());
    /// assert_eq!(
    ///     Snapshot::new(params, [&four, &four, &four, &three, &four, &four]).unwrap_err(),
    ///     Error::Length { buffer: BufferName::Thr, expected: 4, found: 3 },
    /// );
    /// # Ok::<(), wtas::Error>(())
    /// ```
    pub fn new(params: Params, state: [&'a [f32]; 6]) -> Result<Self, Error> {
        for (buffer, values) in BUFFERS.into_iter().zip(state) {
            check_len(buffer, params.len(), values.len())?;
        }
        Ok(Snapshot { params, state })
    }

    /// The parameters.
    pub fn params(&self) -> &Params {
        &self.params
    }

    /// The six buffers: `[j, v, s, thr, rfr, tols]`.
    pub fn state(&self) -> [&'a [f32]; 6] {
        self.state
    }
}

/// One buffer, written as the bits of its values.
struct Bits<'a>(&'a [f32]);

impl Serialize for Bits<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_seq(self.0.iter().map(|x| x.to_bits()))
    }
}

impl Serialize for Snapshot<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut out = serializer.serialize_struct(NAME, FIELDS.len())?;
        out.serialize_field("params", &self.params)?;
        let [j, v, s, thr, rfr, tols] = self.state;
        out.serialize_field("j", &Bits(j))?;
        out.serialize_field("v", &Bits(v))?;
        out.serialize_field("s", &Bits(s))?;
        out.serialize_field("thr", &Bits(thr))?;
        out.serialize_field("rfr", &Bits(rfr))?;
        out.serialize_field("tols", &Bits(tols))?;
        out.end()
    }
}

impl<S: StateStorage> Cell<S> {
    /// The cell's state, to serialize (see [`Snapshot`]).
    ///
    /// # Errors
    /// [`Error::Length`] if `S` now lends buffers of another length than
    /// when the cell was made.
    ///
    /// ```
    /// use wtas::{Cell, Storage};
    ///
    /// let params = Storage::<8, 1>::config().validate()?;
    /// let mut cell = Cell::new(params, Storage::<8, 1>::new(), 42)?;
    /// cell.j_mut()[2] = 6.0;
    /// cell.advance(0.0, 1.0)?;
    ///
    /// // Into a byte buffer, as firmware would keep it (postcard: compact, no allocation).
    /// let mut bytes = [0_u8; 512];
    /// let used = postcard::to_slice(&cell.snapshot()?, &mut bytes).unwrap().len();
    ///
    /// let back = Cell::restore(
    ///     &mut postcard::Deserializer::from_bytes(&bytes[..used]),
    ///     Storage::<8, 1>::new(),
    /// )
    /// .unwrap();
    /// assert_eq!(back.s(), cell.s());
    /// assert_eq!(back.thr(), cell.thr());
    /// # Ok::<(), wtas::Error>(())
    /// ```
    #[cfg_attr(docsrs, doc(cfg(feature = "serde")))]
    pub fn snapshot(&self) -> Result<Snapshot<'_>, Error> {
        Snapshot::new(*self.params(), self.state().view())
    }

    /// Reads a [`Snapshot`] from `deserializer` into `state`'s buffers and
    /// resumes a cell over them ([`Cell::resume`]): every value comes back bit for
    /// bit, and the cell steps exactly as the one the snapshot was taken
    /// from. Allocates nothing.
    ///
    /// # Errors
    /// The deserializer's error, carrying this crate's message, if the
    /// input is not a snapshot, its parameters are invalid (the message of
    /// the [`Error`] that [`Config::validate`](crate::Config::validate)
    /// returns), or a buffer in it or in `state` has another length than
    /// its parameters say (the message of [`Error::Length`]).
    ///
    /// A wrong length in `state` is found before anything is written
    /// when the parameters come first in the input, as they do in every
    /// snapshot this crate writes. Other errors, such as input cut short,
    /// are found while reading: `state` may then hold part of the
    /// snapshot.
    ///
    /// ```
    /// use wtas::{Buffers, Cell, Config};
    ///
    /// let params = Config::new(4).validate()?;
    /// let mut mem = [0.0_f32; 24];
    /// let cell = Cell::new(params, Buffers::from_slice(&mut mem, 4)?, 42)?;
    /// let json = serde_json::to_string(&cell.snapshot()?).unwrap();
    ///
    /// // Buffers for 3 units are refused, before anything is written.
    /// let mut small = [1.0_f32; 18];
    /// let mut de = serde_json::Deserializer::from_str(&json);
    /// let err = Cell::restore(&mut de, Buffers::from_slice(&mut small, 3)?).unwrap_err();
    /// assert!(err.to_string().starts_with("a buffer has the wrong number of elements: `j` has 3 elements, expected 4"));
    /// assert_eq!(small, [1.0; 18]);
    ///
    /// // Invalid parameters are refused with the crate's message.
    /// let bad = json.replace("\"tau_m\":10.0", "\"tau_m\":-1.0");
    /// let mut de = serde_json::Deserializer::from_str(&bad);
    /// let err = Cell::restore(&mut de, Buffers::from_slice(&mut mem, 4)?).unwrap_err();
    /// assert!(err.to_string().starts_with("tau_m must be finite and > 0"));
    /// # Ok::<(), wtas::Error>(())
    /// ```
    #[cfg_attr(docsrs, doc(cfg(feature = "serde")))]
    pub fn restore<'de, D: Deserializer<'de>>(
        deserializer: D,
        mut state: S,
    ) -> Result<Self, D::Error> {
        let Buffers {
            j,
            v,
            s,
            thr,
            rfr,
            tols,
        } = state.buffers();
        let mut sink = Slices([j, v, s, thr, rfr, tols]);
        let params = deserializer.deserialize_struct(NAME, FIELDS, SnapshotVisitor(&mut sink))?;
        Cell::resume(params, state).map_err(de::Error::custom)
    }
}

/// Where the buffers of a snapshot being read go.
trait Sink {
    /// Checks, before any value is written, that the sink can hold a state
    /// of `params`' shape.
    fn check(&self, params: &Params) -> Result<(), Error>;
    /// Reads the values of buffer `k` (an index into [`BUFFERS`]) from
    /// `seq`, and returns how many there were.
    fn fill<'de, A: SeqAccess<'de>>(&mut self, k: usize, seq: A) -> Result<usize, A::Error>;
}

/// Six caller-owned slices, written in place.
struct Slices<'a>([&'a mut [f32]; 6]);

impl Sink for Slices<'_> {
    fn check(&self, params: &Params) -> Result<(), Error> {
        for (buffer, values) in BUFFERS.into_iter().zip(&self.0) {
            check_len(buffer, params.len(), values.len())?;
        }
        Ok(())
    }

    fn fill<'de, A: SeqAccess<'de>>(&mut self, k: usize, mut seq: A) -> Result<usize, A::Error> {
        let (Some(values), Some(&buffer)) = (self.0.get_mut(k), BUFFERS.get(k)) else {
            return Err(de::Error::custom("no such buffer"));
        };
        let mut found = 0;
        for slot in values.iter_mut() {
            match seq.next_element::<u32>()? {
                Some(bits) => *slot = f32::from_bits(bits),
                None => return Ok(found),
            }
            found += 1;
        }
        // More values than the slice holds: count them, for the message.
        while seq.next_element::<IgnoredAny>()?.is_some() {
            found += 1;
        }
        if found == values.len() {
            Ok(found)
        } else {
            Err(de::Error::custom(Error::Length {
                buffer,
                expected: values.len(),
                found,
            }))
        }
    }
}

/// The visitor of a whole snapshot: returns its parameters, and leaves the
/// buffers in the sink.
struct SnapshotVisitor<'s, K>(&'s mut K);

/// The visitor (and seed) of one buffer.
struct BufferSeed<'s, K> {
    sink: &'s mut K,
    k: usize,
}

impl<'de, K: Sink> DeserializeSeed<'de> for BufferSeed<'_, K> {
    type Value = usize;
    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<usize, D::Error> {
        deserializer.deserialize_seq(self)
    }
}

impl<'de, K: Sink> Visitor<'de> for BufferSeed<'_, K> {
    type Value = usize;
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a sequence of f32 bits (u32)")
    }
    fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<usize, A::Error> {
        self.sink.fill(self.k, seq)
    }
}

/// The fields of a snapshot, by name.
#[derive(Deserialize)]
#[serde(field_identifier, rename_all = "lowercase")]
enum Field {
    Params,
    J,
    V,
    S,
    Thr,
    Rfr,
    Tols,
}

/// What has been read so far: the parameters, and how many values each
/// buffer held.
struct Progress<'s, K> {
    sink: &'s mut K,
    params: Option<Params>,
    counts: [Option<usize>; 6],
}

impl<K: Sink> Progress<'_, K> {
    fn params<E: de::Error>(&mut self, params: Params) -> Result<(), E> {
        self.sink.check(&params).map_err(E::custom)?;
        self.params = Some(params);
        Ok(())
    }

    /// The seed that reads buffer `k` into the sink.
    fn seed(&mut self, k: usize) -> BufferSeed<'_, K> {
        BufferSeed { sink: self.sink, k }
    }

    /// Checks that everything was read, each buffer with the length the
    /// parameters give.
    fn finish<E: de::Error>(self) -> Result<Params, E> {
        let params = self.params.ok_or_else(|| E::missing_field("params"))?;
        for ((count, buffer), name) in self
            .counts
            .into_iter()
            .zip(BUFFERS)
            .zip(FIELDS.iter().skip(1))
        {
            let found = count.ok_or_else(|| E::missing_field(name))?;
            check_len(buffer, params.len(), found).map_err(E::custom)?;
        }
        Ok(params)
    }
}

impl<'de, K: Sink> Visitor<'de> for SnapshotVisitor<'_, K> {
    type Value = Params;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(EXPECTING)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Params, A::Error> {
        let mut progress = Progress {
            sink: self.0,
            params: None,
            counts: [None; 6],
        };
        let params = seq
            .next_element::<Params>()?
            .ok_or_else(|| de::Error::invalid_length(0, &EXPECTING))?;
        progress.params(params)?;
        for k in 0..6 {
            let count = seq
                .next_element_seed(progress.seed(k))?
                .ok_or_else(|| de::Error::invalid_length(k + 1, &EXPECTING))?;
            if let Some(slot) = progress.counts.get_mut(k) {
                *slot = Some(count);
            }
        }
        progress.finish()
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Params, A::Error> {
        let mut progress = Progress {
            sink: self.0,
            params: None,
            counts: [None; 6],
        };
        while let Some(field) = map.next_key::<Field>()? {
            let k = match field {
                Field::Params => {
                    if progress.params.is_some() {
                        return Err(de::Error::duplicate_field("params"));
                    }
                    let params = map.next_value::<Params>()?;
                    progress.params(params)?;
                    continue;
                }
                Field::J => 0,
                Field::V => 1,
                Field::S => 2,
                Field::Thr => 3,
                Field::Rfr => 4,
                Field::Tols => 5,
            };
            if progress.counts.get(k).copied().flatten().is_some() {
                return Err(de::Error::duplicate_field(
                    FIELDS.get(k + 1).copied().unwrap_or("?"),
                ));
            }
            let count = map.next_value_seed(progress.seed(k))?;
            if let Some(slot) = progress.counts.get_mut(k) {
                *slot = Some(count);
            }
        }
        progress.finish()
    }
}

/// A snapshot read into memory it owns: any shape, no buffers to provide
/// in advance.
///
/// It reads what [`Snapshot`] writes, with the same checks as
/// [`Cell::restore`], and writes the same form.
///
/// ```
/// use wtas::{Config, Cell, OwnedSnapshot};
///
/// let params = Config { batch_size: 2, ..Config::new(8) }.validate()?;
/// let cell = Cell::new(params, wtas::HeapStorage::new(params.len()), 42)?;
/// let json = serde_json::to_string(&cell.snapshot()?).unwrap();
///
/// let snapshot: OwnedSnapshot = serde_json::from_str(&json).unwrap();
/// assert_eq!(snapshot.params(), &params);
/// let (params, state) = snapshot.into_parts();
/// let mut back = Cell::resume(params, state)?; // a Cell<[Vec<f32>; 6]>
/// assert_eq!(back.thr(), cell.thr());
/// back.advance(0.0, 1.0)?;
/// # Ok::<(), wtas::Error>(())
/// ```
#[cfg(feature = "std")]
#[cfg_attr(docsrs, doc(cfg(all(feature = "serde", feature = "std"))))]
#[derive(Clone, Debug, PartialEq)]
pub struct OwnedSnapshot {
    params: Params,
    state: [std::vec::Vec<f32>; 6],
}

#[cfg(feature = "std")]
impl OwnedSnapshot {
    /// The parameters.
    pub fn params(&self) -> &Params {
        &self.params
    }

    /// The snapshot, borrowed (to serialize it again, for example).
    pub fn view(&self) -> Snapshot<'_> {
        Snapshot {
            params: self.params,
            state: self.state.each_ref().map(|b| b.as_slice()),
        }
    }

    /// The parameters and the six buffers `[j, v, s, thr, rfr, tols]`,
    /// each of `params.len()` values: what [`Cell::resume`] takes.
    pub fn into_parts(self) -> (Params, [std::vec::Vec<f32>; 6]) {
        (self.params, self.state)
    }
}

/// Six growing `Vec`s.
#[cfg(feature = "std")]
struct Vecs([std::vec::Vec<f32>; 6]);

#[cfg(feature = "std")]
impl Sink for Vecs {
    fn check(&self, _params: &Params) -> Result<(), Error> {
        Ok(())
    }

    fn fill<'de, A: SeqAccess<'de>>(&mut self, k: usize, mut seq: A) -> Result<usize, A::Error> {
        let Some(values) = self.0.get_mut(k) else {
            return Err(de::Error::custom("no such buffer"));
        };
        values.clear();
        while let Some(bits) = seq.next_element::<u32>()? {
            values.push(f32::from_bits(bits));
        }
        Ok(values.len())
    }
}

#[cfg(feature = "std")]
impl<'de> Deserialize<'de> for OwnedSnapshot {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let mut sink = Vecs(Default::default());
        let params = deserializer.deserialize_struct(NAME, FIELDS, SnapshotVisitor(&mut sink))?;
        Ok(OwnedSnapshot {
            params,
            state: sink.0,
        })
    }
}

#[cfg(feature = "std")]
impl Serialize for OwnedSnapshot {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        self.view().serialize(serializer)
    }
}
