/**
 * Source categories of the GA4 default channel group (PRODUCT.md §6): the major search
 * engines, social networks, video and shopping sites worldwide, modelled on GA4's
 * published source-category list. Data only, plus the lookup that reads it.
 */

export type SourceCategory = 'search' | 'social' | 'video' | 'shopping'

export interface KnownSite {
  /**
   * The source name: lower-case, as reports show it and as a referrer from the site
   * becomes (`www.google.co.uk` → `google`, `t.co` → `twitter`).
   */
  readonly name: string
  /** Other source names that mean the site (`fb`, `ig`, `x`). */
  readonly aliases?: readonly string[]
  /**
   * Its domains; subdomains match too. `brand.*` stands for the brand on any top-level
   * domain, generic or country, e.g. `google.*` for google.com, google.de, google.co.uk.
   */
  readonly domains: readonly string[]
}

export const SEARCH_ENGINES: readonly KnownSite[] = [
  { name: 'google', aliases: ['google-play', 'googlemybusiness'], domains: ['google.*'] },
  { name: 'bing', domains: ['bing.com'] },
  { name: 'yahoo', domains: ['yahoo.*'] },
  { name: 'baidu', domains: ['baidu.com'] },
  { name: 'yandex', domains: ['yandex.*', 'ya.ru'] },
  { name: 'duckduckgo', domains: ['duckduckgo.com'] },
  { name: 'ecosia', domains: ['ecosia.org'] },
  { name: 'qwant', domains: ['qwant.com'] },
  { name: 'naver', domains: ['naver.com'] },
  { name: 'daum', domains: ['daum.net'] },
  { name: 'zum', domains: ['zum.com'] },
  { name: 'seznam', domains: ['seznam.cz'] },
  { name: 'sogou', domains: ['sogou.com'] },
  { name: '360', domains: ['so.com', '360.cn'] },
  { name: 'shenma', domains: ['sm.cn'] },
  { name: 'ask', domains: ['ask.com'] },
  { name: 'aol', domains: ['aol.*'] },
  { name: 'msn', domains: ['msn.com'] },
  { name: 'startpage', domains: ['startpage.com', 'ixquick.com'] },
  { name: 'brave', domains: ['search.brave.com'] },
  { name: 'mojeek', domains: ['mojeek.com'] },
  { name: 'swisscows', domains: ['swisscows.com'] },
  { name: 'metager', domains: ['metager.org', 'metager.de'] },
  { name: 'presearch', domains: ['presearch.com'] },
  { name: 'kagi', domains: ['kagi.com'] },
  { name: 'yep', domains: ['yep.com'] },
  { name: 'lilo', domains: ['search.lilo.org'] },
  { name: 'petal', domains: ['petalsearch.com'] },
  { name: 'coccoc', domains: ['coccoc.com'] },
  { name: 'lycos', domains: ['lycos.com'] },
  { name: 'dogpile', domains: ['dogpile.com'] },
  { name: 'excite', domains: ['excite.com'] },
  { name: 'webcrawler', domains: ['webcrawler.com'] },
  { name: 'exalead', domains: ['exalead.com'] },
  { name: 'rambler', domains: ['rambler.ru'] },
  { name: 'mail.ru', domains: ['go.mail.ru'] },
  { name: 'ukr.net', aliases: ['ukr'], domains: ['search.ukr.net'] },
  { name: 'onet', domains: ['onet.pl'] },
  { name: 'centrum', domains: ['centrum.cz'] },
  { name: 'najdi', domains: ['najdi.si'] },
  { name: 'eniro', domains: ['eniro.se'] },
  { name: 'kvasir', domains: ['kvasir.no'] },
  { name: 'startsiden', domains: ['startsiden.no'] },
  { name: 'virgilio', domains: ['virgilio.it'] },
  { name: 'biglobe', domains: ['biglobe.ne.jp', 'biglobe.co.jp'] },
  { name: 'goo', domains: ['search.goo.ne.jp'] },
  { name: 'nifty', domains: ['search.nifty.com'] },
  { name: 'auone', domains: ['search.auone.jp'] },
  { name: 'docomo', domains: ['search.smt.docomo.ne.jp'] },
  { name: 'avg', domains: ['search.avg.com'] },
  { name: 'babylon', domains: ['search.babylon.com'] },
  { name: 'conduit', domains: ['search.conduit.com'] },
  { name: 'comcast', domains: ['search.xfinity.com'] },
]

export const SOCIAL_NETWORKS: readonly KnownSite[] = [
  { name: 'facebook', aliases: ['fb'], domains: ['facebook.com', 'fb.com', 'fb.me', 'fb.watch'] },
  { name: 'instagram', aliases: ['ig'], domains: ['instagram.com'] },
  { name: 'messenger', domains: ['messenger.com', 'm.me'] },
  { name: 'whatsapp', domains: ['whatsapp.com', 'wa.me'] },
  { name: 'threads', domains: ['threads.net', 'threads.com'] },
  { name: 'linkedin', domains: ['linkedin.com', 'lnkd.in'] },
  { name: 'twitter', aliases: ['x'], domains: ['twitter.com', 'x.com', 't.co', 'tweetdeck.com'] },
  { name: 'bluesky', aliases: ['bsky'], domains: ['bsky.app', 'bsky.social'] },
  {
    name: 'mastodon',
    domains: ['mastodon.social', 'mastodon.online', 'mastodon.world', 'mstdn.social'],
  },
  { name: 'tiktok', domains: ['tiktok.com'] },
  { name: 'douyin', domains: ['douyin.com'] },
  { name: 'kuaishou', domains: ['kuaishou.com'] },
  { name: 'pinterest', domains: ['pinterest.*', 'pin.it'] },
  { name: 'reddit', domains: ['reddit.com', 'redd.it'] },
  { name: 'snapchat', domains: ['snapchat.com'] },
  { name: 'telegram', domains: ['t.me', 'telegram.me', 'telegram.org'] },
  { name: 'discord', domains: ['discord.com', 'discord.gg', 'discordapp.com'] },
  { name: 'slack', domains: ['slack.com', 'slack-redir.net'] },
  { name: 'teams', domains: ['teams.microsoft.com', 'teams.live.com'] },
  { name: 'skype', domains: ['skype.com'] },
  { name: 'viber', domains: ['viber.com'] },
  { name: 'line', domains: ['line.me'] },
  { name: 'kakao', aliases: ['kakaotalk'], domains: ['kakao.com', 'kakaocorp.com'] },
  { name: 'zalo', domains: ['zalo.me'] },
  { name: 'wechat', aliases: ['weixin'], domains: ['wechat.com', 'weixin.qq.com'] },
  { name: 'qzone', domains: ['qzone.qq.com'] },
  { name: 'weibo', domains: ['weibo.com', 'weibo.cn', 't.cn'] },
  { name: 'douban', domains: ['douban.com'] },
  { name: 'zhihu', domains: ['zhihu.com'] },
  { name: 'xiaohongshu', aliases: ['rednote', 'xhs'], domains: ['xiaohongshu.com', 'xhslink.com'] },
  { name: 'baidu tieba', domains: ['tieba.baidu.com'] },
  { name: 'renren', domains: ['renren.com'] },
  { name: 'vk', aliases: ['vkontakte'], domains: ['vk.com', 'vk.ru', 'vkontakte.ru'] },
  { name: 'odnoklassniki', domains: ['ok.ru', 'odnoklassniki.ru', 'odnoklassniki.ua'] },
  { name: 'naver blog', domains: ['blog.naver.com', 'post.naver.com'] },
  { name: 'naver cafe', domains: ['cafe.naver.com'] },
  { name: 'naver kin', domains: ['kin.naver.com'] },
  { name: 'naver band', domains: ['band.us'] },
  { name: 'daum cafe', domains: ['cafe.daum.net'] },
  { name: 'mixi', domains: ['mixi.jp'] },
  { name: 'ameba', domains: ['ameba.jp', 'ameblo.jp'] },
  { name: 'hatena', domains: ['hatena.ne.jp'] },
  { name: 'goo blog', domains: ['blog.goo.ne.jp'] },
  { name: 'gree', domains: ['gree.jp'] },
  { name: 'pixiv', domains: ['pixiv.net'] },
  { name: '5ch', domains: ['5ch.net'] },
  { name: 'dcard', domains: ['dcard.tw'] },
  { name: 'ptt', domains: ['ptt.cc'] },
  { name: 'plurk', domains: ['plurk.com'] },
  { name: 'sharechat', domains: ['sharechat.com'] },
  { name: 'xing', domains: ['xing.com'] },
  { name: 'jappy', domains: ['jappy.de', 'jappy.com'] },
  { name: 'gutefrage', domains: ['gutefrage.net'] },
  { name: 'wykop', domains: ['wykop.pl'] },
  { name: 'draugiem', domains: ['draugiem.lv'] },
  { name: 'skyrock', domains: ['skyrock.com'] },
  { name: 'taringa', domains: ['taringa.net'] },
  { name: 'quora', domains: ['quora.com'] },
  { name: 'tumblr', domains: ['tumblr.com'] },
  { name: 'medium', domains: ['medium.com'] },
  { name: 'substack', domains: ['substack.com'] },
  { name: 'blogger', domains: ['blogger.com', 'blogspot.com'] },
  { name: 'wordpress', domains: ['wordpress.com', 'wordpress.org'] },
  { name: 'livejournal', domains: ['livejournal.com'] },
  { name: 'typepad', domains: ['typepad.com'] },
  { name: 'weebly', domains: ['weebly.com'] },
  { name: 'hacker news', aliases: ['hackernews'], domains: ['news.ycombinator.com'] },
  {
    name: 'stackoverflow',
    aliases: ['stackexchange'],
    domains: [
      'stackoverflow.com',
      'stackexchange.com',
      'superuser.com',
      'serverfault.com',
      'askubuntu.com',
      'stackapps.com',
    ],
  },
  { name: 'google groups', domains: ['groups.google.com', 'googlegroups.com'] },
  { name: 'yahoo answers', domains: ['answers.yahoo.com', 'chiebukuro.yahoo.co.jp'] },
  { name: 'nextdoor', domains: ['nextdoor.com'] },
  { name: 'meetup', domains: ['meetup.com'] },
  { name: 'yammer', domains: ['yammer.com'] },
  { name: 'glassdoor', domains: ['glassdoor.*'] },
  { name: 'yelp', domains: ['yelp.*'] },
  { name: 'tripadvisor', domains: ['tripadvisor.*'] },
  { name: 'foursquare', domains: ['foursquare.com'] },
  { name: 'houzz', domains: ['houzz.*'] },
  { name: 'goodreads', domains: ['goodreads.com'] },
  { name: 'flickr', domains: ['flickr.com', 'flic.kr'] },
  { name: 'imgur', domains: ['imgur.com'] },
  { name: '9gag', domains: ['9gag.com'] },
  { name: 'deviantart', domains: ['deviantart.com'] },
  { name: 'behance', domains: ['behance.net'] },
  { name: 'dribbble', domains: ['dribbble.com'] },
  { name: 'artstation', domains: ['artstation.com'] },
  { name: 'fandom', domains: ['fandom.com'] },
  { name: 'wattpad', domains: ['wattpad.com'] },
  { name: 'digg', domains: ['digg.com'] },
  { name: 'flipboard', domains: ['flipboard.com'] },
  { name: 'smartnews', domains: ['smartnews.com'] },
  { name: 'feedly', domains: ['feedly.com'] },
  { name: 'pocket', domains: ['getpocket.com'] },
  { name: 'disqus', domains: ['disqus.com'] },
  { name: 'slideshare', domains: ['slideshare.net'] },
  { name: 'scribd', domains: ['scribd.com'] },
  { name: 'researchgate', domains: ['researchgate.net'] },
  { name: 'academia', domains: ['academia.edu'] },
  { name: 'myspace', domains: ['myspace.com'] },
  { name: 'badoo', domains: ['badoo.com'] },
  { name: 'tagged', domains: ['tagged.com'] },
  { name: 'hi5', domains: ['hi5.com'] },
  { name: 'classmates', domains: ['classmates.com'] },
  { name: 'couchsurfing', domains: ['couchsurfing.com', 'couchsurfing.org'] },
  { name: 'linktree', domains: ['linktr.ee'] },
  { name: 'bitly', domains: ['bit.ly', 'bitly.com'] },
  { name: 'tinyurl', domains: ['tinyurl.com'] },
  { name: 'hootsuite', domains: ['hootsuite.com', 'ow.ly'] },
  { name: 'buffer', domains: ['buffer.com', 'buff.ly'] },
  { name: 'sharethis', domains: ['sharethis.com'] },
  { name: 'addthis', domains: ['addthis.com'] },
]

export const VIDEO_SITES: readonly KnownSite[] = [
  { name: 'youtube', domains: ['youtube.com', 'youtu.be', 'youtube-nocookie.com'] },
  { name: 'vimeo', domains: ['vimeo.com'] },
  { name: 'twitch', domains: ['twitch.tv'] },
  { name: 'dailymotion', domains: ['dailymotion.com', 'dai.ly'] },
  { name: 'wistia', domains: ['wistia.com', 'wistia.net'] },
  { name: 'vidyard', domains: ['vidyard.com'] },
  { name: 'loom', domains: ['loom.com'] },
  { name: 'brightcove', domains: ['brightcove.com', 'brightcove.net'] },
  { name: 'rumble', domains: ['rumble.com'] },
  { name: 'kick', domains: ['kick.com'] },
  { name: 'odysee', domains: ['odysee.com'] },
  { name: 'ted', domains: ['ted.com'] },
  { name: 'netflix', domains: ['netflix.com'] },
  { name: 'hulu', domains: ['hulu.com'] },
  { name: 'disneyplus', aliases: ['disney+'], domains: ['disneyplus.com'] },
  { name: 'primevideo', domains: ['primevideo.com'] },
  { name: 'crackle', domains: ['crackle.com'] },
  { name: 'curiositystream', domains: ['curiositystream.com'] },
  { name: 'veoh', domains: ['veoh.com'] },
  { name: 'bilibili', domains: ['bilibili.com', 'b23.tv'] },
  { name: 'iqiyi', domains: ['iqiyi.com', 'iq.com'] },
  { name: 'youku', domains: ['youku.com'] },
  { name: 'tudou', domains: ['tudou.com'] },
  { name: 'tencent video', domains: ['v.qq.com'] },
  { name: 'niconico', domains: ['nicovideo.jp', 'nico.ms'] },
]

export const SHOPPING_SITES: readonly KnownSite[] = [
  {
    name: 'amazon',
    domains: ['amazon.*', 'amzn.to', 'amzn.eu', 'a.co', 'amazon-adsystem.com'],
  },
  { name: 'ebay', domains: ['ebay.*'] },
  { name: 'etsy', domains: ['etsy.com', 'etsy.me'] },
  { name: 'walmart', domains: ['walmart.*'] },
  { name: 'target', domains: ['target.com'] },
  { name: 'bestbuy', domains: ['bestbuy.com', 'bestbuy.ca'] },
  { name: 'costco', domains: ['costco.*'] },
  { name: 'wayfair', domains: ['wayfair.*'] },
  { name: 'newegg', domains: ['newegg.com', 'newegg.ca'] },
  { name: 'shopify', domains: ['shopify.com', 'shop.app'] },
  { name: 'stripe', domains: ['checkout.stripe.com'] },
  { name: 'google shopping', domains: ['shopping.google.*'] },
  { name: 'igshopping', domains: [] },
  { name: 'yahoo shopping', domains: ['shopping.yahoo.*'] },
  { name: 'naver shopping', domains: ['shopping.naver.com', 'smartstore.naver.com'] },
  { name: 'shopzilla', domains: ['shopzilla.com'] },
  { name: 'shopping.com', domains: ['shopping.com'] },
  { name: 'idealo', domains: ['idealo.*'] },
  { name: 'kelkoo', domains: ['kelkoo.*'] },
  { name: 'pricerunner', domains: ['pricerunner.*'] },
  { name: 'aliexpress', domains: ['aliexpress.*'] },
  { name: 'alibaba', domains: ['alibaba.com', '1688.com'] },
  { name: 'taobao', domains: ['taobao.com'] },
  { name: 'tmall', domains: ['tmall.com'] },
  { name: 'jd', domains: ['jd.com'] },
  { name: 'pinduoduo', domains: ['pinduoduo.com', 'yangkeduo.com'] },
  { name: 'temu', domains: ['temu.com'] },
  { name: 'shein', domains: ['shein.*'] },
  { name: 'wish', domains: ['wish.com'] },
  { name: 'rakuten', domains: ['rakuten.*'] },
  { name: 'mercari', domains: ['mercari.com'] },
  { name: 'coupang', domains: ['coupang.com'] },
  { name: 'gmarket', domains: ['gmarket.co.kr'] },
  { name: 'flipkart', domains: ['flipkart.com'] },
  { name: 'shopee', domains: ['shopee.*'] },
  { name: 'lazada', domains: ['lazada.*'] },
  { name: 'tokopedia', domains: ['tokopedia.com'] },
  {
    name: 'mercadolibre',
    aliases: ['mercadolivre'],
    domains: ['mercadolibre.*', 'mercadolivre.*'],
  },
  { name: 'magalu', domains: ['magazineluiza.com.br', 'magalu.com'] },
  { name: 'allegro', domains: ['allegro.pl'] },
  { name: 'zalando', domains: ['zalando.*'] },
  { name: 'otto', domains: ['otto.de'] },
  { name: 'bol', domains: ['bol.com'] },
  { name: 'cdiscount', domains: ['cdiscount.com'] },
  { name: 'vinted', domains: ['vinted.*'] },
  { name: 'ozon', domains: ['ozon.ru'] },
  { name: 'wildberries', domains: ['wildberries.ru'] },
  { name: 'trendyol', domains: ['trendyol.com'] },
  { name: 'hepsiburada', domains: ['hepsiburada.com'] },
  { name: 'noon', domains: ['noon.com'] },
  { name: 'jumia', domains: ['jumia.*'] },
  { name: 'takealot', domains: ['takealot.com'] },
]

export const SOURCE_CATEGORIES: Readonly<Record<SourceCategory, readonly KnownSite[]>> = {
  search: SEARCH_ENGINES,
  social: SOCIAL_NETWORKS,
  video: VIDEO_SITES,
  shopping: SHOPPING_SITES,
}

/** A known site and its category. */
export interface SiteMatch {
  site: KnownSite
  category: SourceCategory
}

interface Index {
  names: Map<string, SiteMatch>
  domains: Map<string, SiteMatch>
}

// Built on first use, so that importing the module has no cost and tree-shakes away.
let index: Index | undefined

function buildIndex(): Index {
  const names = new Map<string, SiteMatch>()
  const domains = new Map<string, SiteMatch>()
  for (const [category, sites] of Object.entries(SOURCE_CATEGORIES) as [
    SourceCategory,
    readonly KnownSite[],
  ][]) {
    for (const site of sites) {
      const match = { site, category }
      for (const name of [site.name, ...(site.aliases ?? [])]) names.set(name, match)
      for (const domain of site.domains) domains.set(domain, match)
    }
  }
  return { names, domains }
}

/** Second-level labels under which a country registers names (`co.uk`, `com.au`, `ne.jp`). */
const COUNTRY_SECOND_LEVELS = new Set(['co', 'com', 'net', 'org', 'ne', 'or', 'ac', 'go', 'gob'])

/** `google.co.uk` → `google.*`, `shopping.yahoo.co.jp` → `shopping.yahoo.*`. */
function withAnyTld(labels: readonly string[]): string | undefined {
  const n = labels.length
  const countryTail =
    n >= 3 &&
    (labels[n - 1] as string).length === 2 &&
    COUNTRY_SECOND_LEVELS.has(labels[n - 2] as string)
  const head = labels.slice(0, n - (countryTail ? 2 : 1))
  return head.length > 0 ? `${head.join('.')}.*` : undefined
}

/** The host a source names: lower-cased, a URL's hostname, without a trailing dot. */
function hostOf(source: string): string {
  let host = source.trim().toLowerCase()
  if (host.includes('://')) {
    try {
      host = new URL(host).hostname
    } catch {
      return host
    }
  }
  return host.endsWith('.') ? host.slice(0, -1) : host
}

/**
 * The known site a source names, case-insensitively: a site's name or alias (`google`,
 * `fb`), else a domain (`www.google.co.uk`, `l.facebook.com`, see {@link knownSiteOfHost}).
 */
export function knownSiteOf(source: string): SiteMatch | undefined {
  index ??= buildIndex()
  const host = hostOf(source)
  return index.names.get(host) ?? knownSiteOfHost(host)
}

/**
 * The known site a host belongs to: one of its domains or their subdomains, the most
 * specific domain first (`shopping.naver.com` is Naver Shopping, `www.naver.com` Naver).
 */
export function knownSiteOfHost(host: string): SiteMatch | undefined {
  index ??= buildIndex()
  const labels = host.toLowerCase().replace(/\.$/, '').split('.')
  for (let start = 0; start < labels.length - 1; start++) {
    const suffix = labels.slice(start)
    const exact = index.domains.get(suffix.join('.'))
    if (exact) return exact
    const anyTld = withAnyTld(suffix)
    const match = anyTld === undefined ? undefined : index.domains.get(anyTld)
    if (match) return match
  }
  return undefined
}

/** The category of a source (search, social, video, shopping), if it is a known site. */
export function sourceCategoryOf(source: string): SourceCategory | undefined {
  return knownSiteOf(source)?.category
}
