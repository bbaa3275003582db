// audiofan serve: the page's script. Lists the albums from /api, filters them as you type, and builds
// download links per track and per album in the preset picked, each preset showing its size.
const $ = (sel, el = document) => el.querySelector(sel);

const fmtTime = (s) => (s == null ? '' : `${Math.floor(s / 60)}:${String(Math.round(s % 60)).padStart(2, '0')}`);
const fmtSize = (b) => (b >= 1e9 ? `${(b / 1e9).toFixed(1)} GB` : b >= 1e6 ? `${(b / 1e6).toFixed(1)} MB` : `${Math.max(1, Math.round(b / 1e3))} kB`);

async function getJson(url) {
  const r = await fetch(url, { credentials: 'same-origin' });
  if (r.status === 401) location.href = '/login';
  if (!r.ok) throw new Error(`${url}: ${r.status}`);
  return r.json();
}

function presetOptions(select, presets, sizeOf, preferred) {
  select.replaceChildren(
    ...presets.map((p) => {
      const o = document.createElement('option');
      const s = sizeOf(p.id);
      o.value = p.id;
      o.textContent = s ? `${p.id} · ${s.exact ? '' : '~'}${fmtSize(s.bytes)}` : p.id;
      o.title = p.description;
      return o;
    }),
  );
  if (presets.some((p) => p.id === preferred)) select.value = preferred;
}

function renderAlbum(album, presets, preferred) {
  const node = $('#album-tpl').content.firstElementChild.cloneNode(true);
  node.dataset.id = album.id;
  const img = $('.cover', node);
  if (album.cover) {
    img.src = album.cover;
    img.alt = `Cover of ${album.title}`;
  } else img.hidden = true;
  $('.title', node).textContent = album.title;
  const formats = [...new Set(album.tracks.map((t) => t.format))].join(', ');
  $('.meta', node).textContent = [album.artist, album.year, `${album.tracks.length} tracks`, fmtTime(album.duration), formats]
    .filter(Boolean)
    .join(' · ');
  const albumSize = (id) => ({
    bytes: album.tracks.reduce((s, t) => s + (t.sizes[id]?.bytes ?? 0), 0),
    exact: album.tracks.every((t) => t.sizes[id]?.exact),
  });
  const zipSelect = $('.album-actions .preset', node);
  const zip = $('.zip', node);
  presetOptions(zipSelect, presets, albumSize, preferred);
  const setZip = () => {
    zip.href = `/albums/${album.id}/${encodeURIComponent(zipSelect.value)}.zip`;
  };
  zipSelect.addEventListener('change', setZip);
  setZip();
  const list = $('.tracks', node);
  for (const t of album.tracks) {
    const li = $('#track-tpl').content.firstElementChild.cloneNode(true);
    li.dataset.id = t.id;
    $('.no', li).textContent = t.trackNo ?? '';
    $('.ttitle', li).textContent = t.title;
    $('.tmeta', li).textContent = [t.artist !== album.artist ? t.artist : '', fmtTime(t.duration), t.format]
      .filter(Boolean)
      .join(' · ');
    const sel = $('.preset', li);
    const a = $('.dl', li);
    presetOptions(sel, presets, (id) => t.sizes[id], preferred);
    const setHref = () => {
      a.href = `/tracks/${t.id}/${encodeURIComponent(sel.value)}`;
    };
    sel.addEventListener('change', setHref);
    setHref();
    list.append(li);
  }
  node.dataset.search = [album.title, album.artist, ...album.tracks.flatMap((t) => [t.title, t.artist])].join('\n').toLowerCase();
  return node;
}

function filter(q) {
  const words = q.toLowerCase().split(/\s+/).filter(Boolean);
  for (const el of document.querySelectorAll('.album')) {
    el.hidden = !words.every((w) => el.dataset.search.includes(w));
  }
}

async function main() {
  const main = $('#albums');
  try {
    const [albums, presets] = await Promise.all([getJson('/api/albums'), getJson('/api/presets')]);
    const full = await Promise.all(albums.map((a) => getJson(`/api/albums/${a.id}`)));
    const preferred = presets.some((p) => p.id === 'mp3-v0') ? 'mp3-v0' : presets[0]?.id;
    main.replaceChildren(...full.map((a) => renderAlbum(a, presets, preferred)));
    if (!full.length) main.innerHTML = '<p class="note">No lossless tracks found in the source folders.</p>';
    const search = $('#search');
    search.addEventListener('input', () => filter(search.value));
  } catch (e) {
    main.innerHTML = '';
    const p = document.createElement('p');
    p.className = 'note';
    p.textContent = `Could not load the library: ${e.message}`;
    main.append(p);
  }
}

main();
