"""The demo's case history (事件办理历史) since January 2020, as the seed document tells it:
467 residents' online appeals, all closed, most of them in their own grid (小事不出格); the
grid workers' own finds from patrols and visits, 12345 hotline work orders and a few
walk-ins over the same years; and what is open at the moment the demo is loaded, at every
level of the three-level linkage, some raised by the sweep, some deferred, one waiting for
the Party secretary's direct-line meeting.

Every case goes through the real state machine, `workflow.apply`, step by step, with the
demo's own accounts as actors and the working calendar and level time limits of the
database, exactly as `services.case_act` and the sweep would take it. Only the saving is
done in bulk. Deterministic for a seed and a moment "now"; the texts, names and phones are
synthetic.
"""

from __future__ import annotations

import datetime as dt
import itertools
import random
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import shapely
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from shapely.geometry import shape

from wangge.cases import stats
from wangge.cases.calendar import WorkCalendar
from wangge.cases.choices import (
    RUNNING,
    Action,
    Decision,
    Evaluation,
    Level,
    MeetingStatus,
    Outcome,
    Source,
    Urgency,
)
from wangge.cases.models import (
    Case,
    CaseStep,
    Category,
    DirectLineItem,
    DirectLineMeeting,
    DiscussionEntry,
    FeedbackEntry,
)
from wangge.cases.services import _CODE_ALPHABET, level_limits
from wangge.cases.workflow import Context, Effects, apply
from wangge.core.bulk import bulk_insert
from wangge.demo.population import GIVEN, SURNAMES
from wangge.grids.choices import Tier
from wangge.grids.models import Grid
from wangge.registry.models import Building
from wangge.registry.services import phone_hash
from wangge.workforce.models import Assignment

SEED = 20200104
STREET_CODE = "520302001"
HISTORY_START = dt.date(2020, 1, 1)
# Historical cases are reported up to this long before "now", so that all of them are
# finished by now; what is open now is made separately.
HISTORY_GAP = dt.timedelta(days=40)
ONLINE_APPEALS = 467  # the seed document: 467 appeals since early 2020, 100% closed
COUNTS = {Source.PATROL: 860, Source.VISIT: 340, Source.HOTLINE: 300,
          Source.WALK_IN: 25, Source.GOVERNANCE_CENTRE: 15}
REASON = "演示数据初始化 (demo data)"
# The fixed cast's micro-grid (tests/conftest.py, the `wangge demo` login hint): it gets open
# cases of its own so that its worker, leader and community officer have work to see.
FIRST_MICRO = "520302001001001001"
ACTING_ROLES = ["grid_leader", "full_time", "part_time", "community_officer", "street_officer"]

MOBILE_PREFIXES = ["130", "131", "132", "133", "135", "136", "137", "138", "139", "150",
                   "151", "152", "153", "155", "156", "157", "158", "159", "166", "173",
                   "177", "180", "181", "182", "183", "185", "186", "187", "188", "189",
                   "191", "198", "199"]

# --- texts ----------------------------------------------------------------------------------
# Per category: (title, description) templates. {place} is a building or house, {lane} a lane.
TEXTS: dict[str, list[tuple[str, str]]] = {
    "petition": [
        ("反映老旧小区改造进度", "{place}居民反映小区改造去年已列入计划,至今未动工,希望给予答复。"),
        ("咨询棚改安置政策", "{place}住户咨询棚户区改造安置补偿政策,希望有关部门解释。"),
    ],
    "instability": [
        ("有群众聚集讨要说法", "{place}附近有十余名群众聚集,反映装修款纠纷,情绪激动。"),
        ("住户扬言过激行为", "{place}一住户因房屋纠纷多次扬言采取过激行为,需关注稳控。"),
    ],
    "fire_hazard": [
        ("楼道堆放杂物", "{place}楼道堆放杂物,存在消防隐患。"),
        ("消防通道被堵塞", "{place}消防通道被车辆和杂物长期堵塞,消防车无法通行。"),
        ("灭火器过期未更换", "{place}楼道内灭火器已过期,压力表指针在红区。"),
    ],
    "gas_safety": [
        ("住户闻到燃气异味", "{place}住户反映楼道内有明显燃气异味,担心漏气。"),
        ("餐馆液化气使用不规范", "{place}一楼餐馆液化气罐摆放在后厨门口,软管老化。"),
    ],
    "building_safety": [
        ("外墙瓷砖脱落", "{place}外墙瓷砖脱落,砸到楼下停放车辆,存在安全隐患。"),
        ("房屋墙体开裂", "{place}老房子墙体出现裂缝,屋顶漏雨,住户担心安全。"),
    ],
    "ebike_charging": [
        ("飞线充电", "{place}有住户从楼上拉电线给电动车充电,存在火灾隐患。"),
        ("电动车楼道内充电", "{place}电动车停放在楼道内充电,多次劝说无效。"),
    ],
    "public_order_incident": [
        ("电瓶被盗", "{place}夜间停放的电动车电瓶被盗,近期已发生多起。"),
        ("酒后滋事", "{place}附近夜间有人酒后滋事,影响居民休息。"),
    ],
    "suspicious": [
        ("陌生人上门推销", "{place}有陌生人挨家挨户推销保健品,老人容易上当。"),
        ("可疑人员徘徊", "{place}楼下连续几天有陌生人徘徊,查看门锁。"),
    ],
    "sanitation": [
        ("生活垃圾未及时清运", "{place}垃圾桶已满两天未清运,气味很大。"),
        ("化粪池外溢", "{place}化粪池外溢,污水流到路面,影响出行。"),
        ("楼道小广告乱贴", "{place}楼道墙面被贴满小广告,影响环境。"),
    ],
    "street_vending": [
        ("流动摊贩占道经营", "{lane}路口流动摊贩占道经营,早晚高峰造成拥堵。"),
        ("商户出店经营", "{place}商户把货架摆到人行道上,行人只能走机动车道。"),
    ],
    "parking": [
        ("车辆乱停占用消防通道", "{place}机动车乱停,占用消防通道。"),
        ("共享单车乱停乱放", "{lane}共享单车乱停乱放,堵塞小区出入口。"),
    ],
    "noise": [
        ("广场舞音响扰民", "{place}旁广场舞音响声音过大,晚上九点后仍未停止。"),
        ("夜间装修噪音", "{place}有住户晚上十点后还在装修,电钻声扰民。"),
        ("烧烤店深夜噪音", "{place}楼下烧烤店营业到凌晨,噪音和油烟扰民。"),
    ],
    "illegal_building": [
        ("顶楼私自加盖", "{place}顶楼住户私自加盖彩钢房,影响楼顶防水和安全。"),
        ("私自扩建围墙", "{place}一楼住户私自扩建围墙,占用公共绿地。"),
    ],
    "illegal_renovation": [
        ("装修拆除承重墙", "{place}住户装修时拆除墙体,楼下住户担心是承重墙。"),
    ],
    "utilities": [
        ("停水未恢复", "{place}从昨天起停水,至今未恢复,也没有提前通知。"),
        ("高层水压不足", "{place}高层住户水压不足,早晚用水高峰基本没水。"),
        ("楼道线路老化", "{place}楼道照明线路老化,经常跳闸,存在安全隐患。"),
    ],
    "property_service": [
        ("电梯经常故障", "{place}电梯一个月内故障停运三次,老人上下楼困难。"),
        ("单元门禁损坏", "{place}单元门禁损坏半个月,陌生人随意进出。"),
        ("物业收费不公示", "{place}物业公共收益和收费标准不公示,居民有意见。"),
    ],
    "social_security": [
        ("咨询低保申请", "{place}居民家庭困难,咨询低保申请条件和办理流程。"),
        ("养老金认证问题", "{place}老人不会使用手机进行养老金资格认证,需要帮助。"),
    ],
    "elderly_care": [
        ("独居老人需要帮助", "{place}独居老人行动不便,家中灯泡坏了无人更换。"),
        ("申请老年助餐服务", "{place}高龄老人申请社区老年助餐服务。"),
    ],
    "neighbour_dispute": [
        ("楼上漏水引发纠纷", "{place}楼上卫生间漏水导致楼下天花板受损,双方协商未果。"),
        ("楼道占用引发矛盾", "{place}邻居在楼道堆放杂物和鞋柜,双方多次争吵。"),
    ],
    "family_dispute": [
        ("子女不履行赡养义务", "{place}老人反映子女不履行赡养义务,生活困难。"),
        ("夫妻矛盾", "{place}一对夫妻经常争吵,邻居担心发生意外。"),
    ],
    "wage_dispute": [
        ("拖欠员工工资", "{lane}一家餐馆拖欠员工两个月工资,老板拒不支付。"),
        ("拖欠农民工工资", "{lane}附近工地拖欠农民工工资,工人多次讨要无果。"),
    ],
    "street_lamp": [
        ("路灯不亮", "{lane}一段路灯连续多天不亮,夜间出行不便。"),
    ],
    "manhole": [
        ("井盖破损", "{place}旁井盖破损下陷,行人容易踩空。"),
        ("井盖缺失", "{lane}人行道井盖缺失,存在安全隐患。"),
    ],
    "hydrant": [
        ("消防栓漏水", "{place}旁消防栓漏水,地面长期积水。"),
    ],
    "road_damage": [
        ("人行道地砖破损", "{lane}人行道地砖破损松动,下雨天溅水。"),
        ("路面坑洼积水", "{place}门前路面坑洼,雨后积水严重。"),
    ],
}

# More ways people put the same matters, in residents' and workers' own words: drawn from a
# separate random stream (`_Generator.text_rng`), so that the rest of the history is the same
# whichever text a case gets. They give the triage classifier (cases.triage) more to learn.
MORE_TEXTS: dict[str, list[tuple[str, str]]] = {
    "petition": [
        ("问安置房什么时候交", "{place}几户人家搬出去过渡快三年了,安置房还没消息,每月租金负担重。"),
        ("要求公开改造方案", "{place}的住户想看看小区改造的具体方案,加装电梯算不算在里面。"),
        ("反映拆迁补偿标准", "{place}一带征收补偿每平米比隔壁片区低,群众想要个解释。"),
    ],
    "instability": [
        ("业主围堵要求退款", "{place}门口来了二三十个业主,举着牌子要开发商退钱,场面有点乱。"),
        ("当事人情绪失控", "{place}那户因为拆迁的事一直想不通,今天拿着汽油说要去讨说法。"),
        ("群里相约集体上访", "{place}有居民在业主群里约大家明天一起去区里,要求解决停工问题。"),
    ],
    "fire_hazard": [
        ("过道堆纸板", "{place}过道里堆着一人多高的纸板和泡沫箱,一点火就着。"),
        ("安全出口上锁", "{place}的安全出口平时用铁链锁着,真出事人跑不出去。"),
        ("群租房无消防设施", "{place}一套房隔了八个单间出租,没有一个灭火器,走廊也窄。"),
        ("商铺住人", "{place}底层门面晚上有人睡在里面,里面堆的全是衣服布料。"),
    ],
    "gas_safety": [
        ("闻到煤气味", "{place}早上下楼一股煤气味,不晓得是哪家的管子出了问题。"),
        ("燃气管道锈蚀", "{place}外墙上的燃气立管锈得很厉害,有一段还被撞弯了。"),
        ("瓶装气无人管", "{place}小吃店灶台下放了三个气瓶,连减压阀都是坏的。"),
    ],
    "building_safety": [
        ("阳台水泥掉落", "{place}楼上阳台底下的水泥一块一块往下掉,下面是大家进出的路。"),
        ("老房子漏雨开裂", "{place}那栋老木房子柱子都歪了,一下雨屋里到处漏。"),
        ("雨棚松动", "{place}二楼的铁皮雨棚固定螺丝脱了,风一吹哐哐响,怕掉下来。"),
    ],
    "ebike_charging": [
        ("电瓶车进电梯", "{place}总有人把电瓶车推进电梯拉回家充电,电梯里还贴着禁止的牌子。"),
        ("窗户吊线充电", "{place}二楼住户把插线板从窗口吊下来,给楼下的电动车充一整晚。"),
        ("电池拿回家充", "{place}好几户把电动车电池拎回屋里充电,有的就放在床边上。"),
    ],
    "public_order_incident": [
        ("快递被偷", "{place}放在门口的快递接连丢了好几次,怀疑有人专门来拿。"),
        ("有人打架斗殴", "{place}晚上两伙人打起来了,有人头破了,赶紧来人。"),
        ("电信诈骗", "{place}有老人被冒充公检法的电话骗了好几万,家里人想找派出所。"),
        ("车辆被撬", "{place}停在路边的几辆车昨晚被人撬了,车里的东西被翻得乱七八糟。"),
    ],
    "suspicious": [
        ("陌生人在单元门口转", "{place}一个戴帽子的男人这几天老在单元门口转,还拍照。"),
        ("有人冒充工作人员", "{place}有人说是自来水公司的要进屋查水表,拿不出工作证。"),
        ("出租屋人员复杂", "{place}一间出租屋住了十来个人,白天关门,晚上进进出出。"),
    ],
    "sanitation": [
        ("垃圾堆成山", "{place}垃圾箱周围堆得到处都是,野狗扒得满地,臭气熏天。"),
        ("下水道反臭", "{place}下水道堵了,脏水冒到路面上,走路都要捂鼻子。"),
        ("建筑垃圾乱倒", "{place}不晓得哪个把装修垃圾倒在路边,几天了没人拉走。"),
        ("公厕脏乱", "{place}旁边的公共厕所很久没人冲洗,地上又湿又滑。"),
    ],
    "street_vending": [
        ("早市占道", "{lane}早上卖菜的摊子一直摆到路中间,车和人挤在一起。"),
        ("夜宵摊占人行道", "{place}夜宵摊把桌子椅子全摆在人行道上,走路只能下到马路。"),
        ("门店乱摆", "{place}几家店把货物和招牌摆到门外好几米。"),
    ],
    "parking": [
        ("车堵小区门", "{place}门口天天停满车,大车进不来,出门要绕一大圈。"),
        ("僵尸车", "{place}有辆落满灰的旧车停了一年多,轮胎都没气了。"),
        ("人行道停车", "{lane}人行道被小车停满了,推轮椅的老人只能走车道。"),
    ],
    "noise": [
        ("酒吧音乐太吵", "{place}新开的酒吧放音乐放到半夜,窗户关着都听得见鼓点。"),
        ("工地夜间施工", "{lane}工地晚上还在打桩搅拌,一晚上轰隆隆的。"),
        ("喇叭叫卖扰民", "{place}门口的店天天用喇叭循环喊促销,从早吵到晚。"),
        ("棋牌室吵闹", "{place}一楼棋牌室通宵打麻将,洗牌声和说话声很大。"),
    ],
    "illegal_building": [
        ("楼顶搭铁皮房", "{place}楼顶有人在搭铁皮房,这两天一直在电焊。"),
        ("圈占绿地搭棚", "{place}有住户把楼下绿地围起来,搭了个棚子堆东西。"),
        ("阳台外扩", "{place}一户人家把阳台往外接出去一截,挂在半空中。"),
    ],
    "illegal_renovation": [
        ("装修砸墙", "{place}楼上装修在砸墙,整栋楼都在抖,不晓得是不是承重墙。"),
        ("改动房屋结构", "{place}一户把两间房打通,又在外墙开了个门。"),
        ("群租改造", "{place}有人把房子隔成好多小间准备出租,拆了原来的隔墙。"),
    ],
    "utilities": [
        ("突然停电", "{place}下午突然停电,问了物业也说不清什么时候来电。"),
        ("自来水浑浊", "{place}这几天水龙头流出来的水发黄,烧开还有沉淀。"),
        ("水管爆裂", "{lane}路边自来水管爆了,水一直往外冒。"),
        ("电压不稳", "{place}晚上电压低,灯一闪一闪的,电器都不敢开。"),
    ],
    "property_service": [
        ("电梯困人", "{place}电梯突然停在半中间,里面困了人,物业半天才来。"),
        ("物业不作为", "{place}物业费照收,绿化没人管,路灯坏了也不修。"),
        ("门禁坏了", "{place}单元门的刷卡器坏了,门一直开着,谁都能进。"),
        ("保安不在岗", "{place}晚上门岗经常没人,外卖小哥和陌生人随便进出。"),
    ],
    "social_security": [
        ("养老金没到账", "{place}有老人说这个月养老金没到账,不知道去哪里问。"),
        ("咨询医保办理", "{place}居民问外地户口的小孩能不能在这边参加居民医保。"),
        ("低保被取消", "{place}一户低保被取消了,家里觉得情况没变化,想了解原因。"),
        ("临时救助", "{place}一户家里有人得了大病,开销太大,想问有没有临时救助。"),
    ],
    "elderly_care": [
        ("独居老人多日未露面", "{place}一位独居老人几天没下楼了,邻居敲门没人应,担心出事。"),
        ("老人需要助浴助餐", "{place}八十多岁的老两口子女不在身边,做饭洗澡都困难。"),
        ("残疾人出行困难", "{place}坐轮椅的住户出门要下十几级台阶,希望加个扶手坡道。"),
        ("老人走失", "{place}一位有点糊涂的老人早上出门到现在没回来,家属很着急。"),
    ],
    "neighbour_dispute": [
        ("楼上渗水", "{place}楼上洗澡的水渗到楼下,天花板发霉掉皮,楼上不承认。"),
        ("公共过道被占", "{place}对门把鞋柜和杂物摆满了过道,说了一句两家就吵起来。"),
        ("邻居养鸡养狗", "{place}邻居在公共院坝养鸡养狗,又臭又吵,说了还骂人。"),
        ("车位纠纷", "{place}两户为了门口的车位吵了好几回,差点动手。"),
    ],
    "family_dispute": [
        ("子女推诿赡养", "{place}老人有三个儿子,谁都不管,互相推来推去。"),
        ("家庭暴力", "{place}有妇女说丈夫喝了酒就动手打人,想找人帮忙。"),
        ("婚姻纠纷", "{place}一对夫妻闹离婚,为了房子天天吵,孩子没人管。"),
    ],
    "wage_dispute": [
        ("包工头跑路", "{lane}工地的包工头跑了,十几个工人三个月工钱没拿到。"),
        ("店铺拖欠工资", "{place}一家店的老板说没钱,两个月工资一直拖着。"),
        ("离职扣工资", "{place}有员工辞职后,老板扣着最后一个月工资不发。"),
    ],
    "street_lamp": [
        ("路灯坏了很久", "{lane}那几盏路灯坏了快一个月,晚上黑黢黢的。"),
        ("灯杆被撞", "{lane}一根灯杆被车撞歪了,灯罩掉在地上。"),
        ("路灯时亮时不亮", "{lane}的路灯晚上一闪一闪的,有时候干脆不亮。"),
    ],
    "manhole": [
        ("井盖不见了", "{lane}路边的井盖没了,留下一个黑洞,晚上很危险。"),
        ("井盖松动异响", "{place}门口的井盖车一压就哐当响,边上碎了一块。"),
        ("雨水篦子丢失", "{lane}的雨水篦子被人偷了,小孩子容易踩进去。"),
    ],
    "hydrant": [
        ("消火栓被撞", "{lane}路边的消火栓被车撞了,一直在往外冒水。"),
        ("消防栓锈死", "{place}的消防栓锈得拧不动,箱子里的水带也没了。"),
        ("消防栓被私接", "{lane}有人拿消防栓的水洗车,用完也不关好。"),
    ],
    "road_damage": [
        ("路面塌陷", "{lane}路面塌下去一块,车开过去颠得厉害。"),
        ("台阶破损", "{place}门口的台阶缺了几块,老人上下很危险。"),
        ("挖开的路没恢复", "{lane}前段时间挖开埋管子,到现在还没填平。"),
        ("盲道损坏", "{lane}的盲道砖碎了一大片,有的被挖走了。"),
    ],
}
# How people start and end what they write (residents) or note down (workers).
RESIDENT_OPENERS = ["", "", "", "你好,", "您好,", "麻烦一下,", "我想反映一下,", "请问,"]
RESIDENT_CLOSERS = ["", "", "", "请尽快处理。", "希望有关部门管一管。", "谢谢!", "已经好几天了。",
                    "麻烦派人来看看。"]
WORKER_OPENERS = ["", "", "巡查发现:", "走访中发现,", "经现场查看,"]
WORKER_CLOSERS = ["", "", "已拍照留存。", "已口头告知,需跟进。", "请相关单位处理。"]

RESULTS: dict[str, list[str]] = {
    "petition": ["已向居民解释改造计划和时间安排,并留下联系方式随时答复。"],
    "instability": ["已会同派出所、社区做好疏导,当事人情绪稳定,纠纷进入调解程序。"],
    "fire_hazard": ["已督促住户清理楼道杂物,现场复查通道畅通。",
                    "已联系物业更换过期灭火器,并张贴消防安全提示。"],
    "gas_safety": ["已联系燃气公司上门检测,更换老化软管,隐患已消除。"],
    "building_safety": ["已设置警示区域,联系产权单位完成修缮。"],
    "ebike_charging": ["已劝导住户拆除飞线,引导到小区充电桩充电。"],
    "public_order_incident": ["已报派出所加强夜间巡逻,并在停车处加装监控。"],
    "suspicious": ["已联系社区民警核查,提醒居民提高防范意识。"],
    "sanitation": ["已联系环卫所清运,现场已清理干净。", "已组织清洗消毒,恢复整洁。"],
    "street_vending": ["已会同城管中队劝离摊贩,引导进入便民市场经营。"],
    "parking": ["已联系车主挪车,并在通道处设置禁停标识。"],
    "noise": ["已上门劝导,约定晚上九点后停止,并降低音量。"],
    "illegal_building": ["已下发整改通知,当事人已自行拆除违建部分。"],
    "illegal_renovation": ["已联系城建办现场查看,责令停工并恢复原状。"],
    "utilities": ["已联系供水公司抢修,供水已恢复。", "已联系供电所更换线路,照明恢复正常。"],
    "property_service": ["已督促物业维修,设备已恢复正常使用。"],
    "social_security": ["已上门指导申请,材料已递交街道社保站。"],
    "elderly_care": ["已安排网格员和志愿者上门帮助,纳入日常关爱走访。"],
    "neighbour_dispute": ["经网格员上门调解,双方达成协议,矛盾已化解。"],
    "family_dispute": ["经社区调委会调解,家庭成员达成赡养协议。"],
    "wage_dispute": ["已协调劳动保障所介入,拖欠工资已全部支付。"],
    "street_lamp": ["已联系路灯管理所维修,路灯恢复照明。"],
    "manhole": ["已设置警示围挡,市政维护站已更换井盖。"],
    "hydrant": ["已联系消防救援站维修,漏水已止住。"],
    "road_damage": ["已联系市政维护站修补路面。"],
}
EXPLAINED = "已向诉求人解释相关政策和处理情况,诉求人表示理解。"
REFERRED = "已移交{unit}处理,并告知诉求人办理进度。"
SATISFIED_COMMENTS = ["", "", "处理及时,非常满意。", "感谢网格员。", "服务很好。"]
BASIC_COMMENTS = ["问题基本解决,希望加强日常管理。", "处理得有点慢。", ""]
DISSATISFIED_COMMENTS = ["问题没有彻底解决,又出现了。", "只是表面处理,希望彻底整改。"]

# Which categories each channel tends to bring in (weights).
RESIDENT_MIX = {"sanitation": 10, "noise": 9, "property_service": 9, "parking": 7,
                "utilities": 7, "neighbour_dispute": 6, "fire_hazard": 4, "street_lamp": 4,
                "road_damage": 4, "ebike_charging": 3, "elderly_care": 3,
                "social_security": 3, "street_vending": 3, "illegal_building": 2,
                "illegal_renovation": 1, "gas_safety": 1, "building_safety": 2,
                "public_order_incident": 2, "suspicious": 1, "family_dispute": 1,
                "wage_dispute": 2, "manhole": 2, "hydrant": 1, "petition": 2}
PATROL_MIX = {"fire_hazard": 10, "ebike_charging": 8, "sanitation": 10, "street_vending": 7,
              "parking": 7, "illegal_building": 4, "manhole": 4, "street_lamp": 5,
              "road_damage": 5, "hydrant": 2, "building_safety": 3, "gas_safety": 2,
              "suspicious": 2, "public_order_incident": 1}
VISIT_MIX = {"elderly_care": 10, "social_security": 8, "neighbour_dispute": 7,
             "family_dispute": 4, "petition": 3, "instability": 1, "property_service": 4,
             "utilities": 3, "building_safety": 2, "gas_safety": 2}
STREET_SCALE = {"street_lamp", "road_damage", "manhole", "street_vending", "wage_dispute"}
URGENT = {"gas_safety", "fire_hazard", "instability", "manhole", "building_safety"}

# How each channel's cases were handled: on the spot, in the grid, raised to the community or
# to the street (the rest of the story is drawn per case).
PATHS = {
    Source.ONLINE: {"spot": 45, "grid": 37, "community": 14, "street": 4},
    Source.PATROL: {"spot": 68, "grid": 24, "community": 6, "street": 2},
    Source.VISIT: {"spot": 50, "grid": 35, "community": 12, "street": 3},
    Source.HOTLINE: {"spot": 20, "grid": 50, "community": 22, "street": 8},
    Source.WALK_IN: {"spot": 20, "grid": 45, "community": 28, "street": 7},
    Source.GOVERNANCE_CENTRE: {"spot": 10, "grid": 45, "community": 35, "street": 10},
}
PARTICIPANTS = {"grid": "网格长{leader}、网格员{worker}、居民代表",
                "community": "社区干部{officer}、网格长{leader}、{unit}、居民代表",
                "street": "街道综治办、{unit}、社区干部{officer}"}
PLANS = {"grid": "网格长与网格员研判,由{handler}上门处理,当日反馈。",
         "community": "社区召集网格长、物业和居民代表共议,由{handler}牵头处理。",
         "street": "街道召集{unit}等部门联合处置,明确责任和时限。"}
RAISE_NOTES = {"grid": ["涉及多个楼栋和物业,网格内无法协调,报社区协调。",
                        "需要相关职能部门处理,网格内无法解决,报社区。"],
               "community": ["需要街道相关部门协同处置,报街道。",
                             "涉及多个单位,社区协调未果,报街道。"]}
REWORK_NOTE = "现场核实发现问题未彻底整改,退回重新处理。"
DEFERRAL_NOTES = ["需纳入老旧小区改造计划统一实施,申请缓办。",
                  "需等待产权单位维修资金到位,申请缓办。"]
DEFER_NOTE = "同意缓办,纳入改造计划跟踪,每月回访一次。"
MEETING_PARTICIPANTS = ("街道党工委书记、街道办事处主任、社区党总支书记、网格长、"
                        "街道城建办、城管中队、居民代表")


class StoryError(RuntimeError):
    """A drawn story does not fit the time limits or the moment "now"; another is drawn."""


# --- the world the history happens in -------------------------------------------------------


@dataclass(frozen=True)
class Staff:
    """A demo account that acts on cases, with its worker record (the step's name)."""

    user: Any
    worker: Any

    @property
    def name(self) -> str:
        return self.worker.name


@dataclass
class Team:
    """A micro-grid with its grid leader, full-time and part-time workers and buildings."""

    grid: Grid
    kind: str  # the micro-grid type: residential, lanes, commercial
    lane: str
    community: Grid
    leader: Staff
    worker: Staff
    part_time: list[Any]
    buildings: list[tuple[int, str, float, float]]  # id, name, lon, lat
    geom: Any  # the boundary as a prepared shapely polygon


@dataclass
class World:
    """Everything the history needs from the database, read once: the grid tree, the teams,
    the categories, the calendar and the limits, and the moment the history runs up to."""

    now: dt.datetime
    calendar: WorkCalendar
    limits: dict[str, tuple[int, int]]
    grids: dict[str, Grid]
    teams: list[Team]
    officers: dict[str, Staff]  # community code → its community officer
    street: Grid
    street_staff: Staff
    categories: dict[str, Category]


@dataclass
class History:
    """The generated cases and everything their steps produced, not yet saved."""

    cases: list[Case] = field(default_factory=list)
    steps: list[CaseStep] = field(default_factory=list)
    discussions: list[DiscussionEntry] = field(default_factory=list)
    feedback: list[FeedbackEntry] = field(default_factory=list)
    items: list[DirectLineItem] = field(default_factory=list)
    meetings: list[DirectLineMeeting] = field(default_factory=list)


def world_from_db(*, now: dt.datetime | None = None) -> World:
    """Read the demo's grids, teams and reference data (the demo must be loaded)."""
    grids = {g.code: g for g in Grid.objects.filter(code__startswith=STREET_CODE)
             .select_related("grid_type")}
    street = grids[STREET_CODE]
    staff: dict[tuple[str, str], list[Staff]] = {}
    part_time: dict[str, list[Any]] = {}
    code_of = {g.pk: code for code, g in grids.items()}
    for a in (Assignment.objects.filter(ended_on__isnull=True, worker__active=True,
                                        role__code__in=ACTING_ROLES)
              .select_related("worker", "worker__user", "role").order_by("id")):
        code = code_of.get(a.grid_id)
        if code is None:
            continue
        if a.role.code == "part_time":
            part_time.setdefault(code, []).append(a.worker)
        elif a.worker.user_id is not None:
            staff.setdefault((code, a.role.code), []).append(Staff(a.worker.user, a.worker))
    buildings: dict[int, list[tuple[int, str, float, float]]] = {}
    for bid, grid_id, name, lon, lat in (Building.objects.filter(lon__isnull=False)
                                         .order_by("id")
                                         .values_list("id", "micro_grid_id", "name", "lon",
                                                      "lat")):
        buildings.setdefault(grid_id, []).append((bid, name, lon, lat))
    teams = []
    for code, grid in sorted(grids.items()):
        if grid.tier != Tier.MICRO_GRID:
            continue
        geom = shape(grid.boundary)
        shapely.prepare(geom)
        teams.append(Team(
            grid=grid, kind=grid.grid_type.code if grid.grid_type else "lanes",
            lane=grid.name.split("号")[0].rstrip("0123456789"),
            community=grids[code[:12]], leader=staff[(code, "grid_leader")][0],
            worker=staff[(code, "full_time")][0], part_time=part_time.get(code, []),
            buildings=buildings.get(grid.pk, []), geom=geom))
    officers = {code: staff[(code, "community_officer")][0] for code, g in grids.items()
                if g.tier == Tier.COMMUNITY}
    return World(now=now or timezone.now(), calendar=WorkCalendar.load(),
                 limits=level_limits(), grids=grids, teams=teams, officers=officers,
                 street=street, street_staff=staff[(STREET_CODE, "street_officer")][0],
                 categories={c.code: c for c in Category.objects.filter(parent__isnull=False)})


# --- working time ----------------------------------------------------------------------------


# --- one case's story -------------------------------------------------------------------------


class _Sim:
    """One case taken through `workflow.apply` step by step, with the sweep's warnings and
    raises where its time limits pass. Its records are kept apart until the story is
    complete, so that a story that does not fit can be dropped."""

    def __init__(self, gen: _Generator, case: Case, actor: Staff | None, *,
                 end: dt.datetime, on_time: bool = True):
        self.gen, self.case, self.end, self.on_time = gen, case, end, on_time
        self.t = case.reported_at
        self.records = History(cases=[case])
        self.feedback_rows: list[FeedbackEntry] = []
        self.open_item: DirectLineItem | None = None
        self._apply(Action.REPORT, case.reported_at, actor)

    # the moves

    def _apply(self, action: str, at: dt.datetime, actor: Staff | None, note: str = "",
               **params) -> Effects:
        world = self.gen.world
        if action in (Action.EVALUATE, Action.REOPEN) and self.feedback_rows:
            params["latest_feedback"] = self.feedback_rows[-1]
        if action in (Action.DIRECT_LINE, Action.DIRECT_LINE_DECISION):
            params.setdefault("open_item", self.open_item)
        ctx = Context(actor=actor.user if actor else None,
                      actor_name=actor.name if actor else self.gen.system_name, at=at,
                      calendar=world.calendar, limits=world.limits,
                      grid_by_code=world.grids.__getitem__)
        fx = apply(self.case, action, ctx, params, note=note)
        self.records.steps.append(fx.step)
        self.records.discussions += fx.discussions
        self.records.feedback += fx.feedback
        self.feedback_rows += fx.feedback
        if fx.new_item is not None:
            self.records.items.append(fx.new_item)
            self.open_item = fx.new_item
        if fx.decided_item is not None:
            self.open_item = None
        self.t = at
        return fx

    def act(self, action: str, at: dt.datetime, actor: Staff | None, note: str = "",
            **params) -> Effects:
        """A person's step; the sweep's warning comes first when its moment has passed."""
        if at < self.t or at >= self.end:
            raise StoryError(f"{action} at {at} is outside the story")
        self.catch_up(at)
        case = self.case
        if case.status in RUNNING and case.level_due_at and case.level_due_at <= at:
            raise StoryError(f"{action} at {at} comes after the level's time limit")
        return self._apply(action, at, actor, note, **params)

    def catch_up(self, at: dt.datetime) -> None:
        """Warn as the sweep does once the warning moment before the limit has passed."""
        case = self.case
        if (case.status in RUNNING and case.warned_at is None and case.level_warn_at
                and case.level_warn_at <= at and case.level_due_at
                and case.level_due_at > case.level_warn_at):
            due = timezone.localtime(case.level_due_at)
            self._apply(Action.WARN, case.level_warn_at, None, self.gen.notes["warn"] % {
                "due": due.strftime("%Y-%m-%d %H:%M")})

    def lapse(self) -> None:
        """Let the level's time limit pass: the sweep raises the case, or at the street puts
        it on the secretary's direct line."""
        case = self.case
        at = case.level_due_at
        if at is None or at >= self.end:
            raise StoryError("nothing lapses")
        self.catch_up(at)
        if case.level == Level.STREET:
            self._apply(Action.DIRECT_LINE, at, None, self.gen.notes["direct_line"],
                        meeting=None)
        else:
            self._apply(Action.RAISE, at, None, self.gen.notes[case.level])

    def finish(self) -> None:
        """Bring the case up to "now" as the sweep would have (only warnings may be due)."""
        self.catch_up(self.end)
        case = self.case
        if case.status in RUNNING and case.level_due_at and case.level_due_at <= self.end:
            raise StoryError("the case would have been raised by now")

    # time

    def later(self, lo: float = 0.05, hi: float = 0.3, *, until: dt.datetime | None = None,
              horizon: float = 24) -> dt.datetime:
        """A moment after the last step, a share of the working time left before the nearest
        limit: the level's, the case's own (when it is to be handled in time), `until`, or
        `horizon` working hours when nothing else presses."""
        case, cal, rng = self.case, self.gen.world.calendar, self.gen.rng
        limits = [self.end, cal.add_hours(self.t, horizon)]
        if until is not None:
            limits.append(until)
        if case.status in RUNNING and case.level_due_at is not None:
            limits.append(case.level_due_at)
        if self.on_time and case.due_at > self.t:
            limits.append(case.due_at)
        available = cal.hours_between(self.t, min(limits))
        if available <= 0.01:
            raise StoryError("no working time left")
        return cal.add_hours(self.t, available * rng.uniform(lo, hi))

    def after_hours(self, low: float, high: float) -> dt.datetime:
        """A moment some clock hours after the last step (a resident's reply)."""
        return self.t + dt.timedelta(hours=self.gen.rng.uniform(low, high))


# --- the generator ----------------------------------------------------------------------------


class _Generator:
    def __init__(self, world: World, seed: int):
        self.world = world
        self.rng = random.Random(seed)
        self.history = History()
        self.codes: set[str] = set()
        self.system_name = _("system")
        # The sweep's own words (services.case_sweep), translated once.
        self.notes = {
            "warn": _("The time limit at this level is near: %(due)s."),
            "direct_line": _("Not solved within the street's time limit: put on the "
                             "secretary's direct line automatically."),
            **{level: _("The time limit at the %(level)s level passed: raised "
                        "automatically.") % {"level": label}
               for level, label in Level.choices}}
        self.hotline_numbers: dict[int, int] = {}
        self.by_code = {t.grid.code: t for t in world.teams}
        self.text_rng = random.Random(seed + 1)  # words only: see MORE_TEXTS

    # drawing

    def pick(self, weights: dict) -> Any:
        keys = list(weights)
        return self.rng.choices(keys, weights=[weights[k] for k in keys])[0]

    def tracking_code(self) -> str:
        while True:
            code = "".join(self.rng.choice(_CODE_ALPHABET) for _i in range(10))
            if code not in self.codes:
                self.codes.add(code)
                return code

    def person_name(self) -> str:
        rng = self.rng
        return rng.choice(SURNAMES) + "".join(rng.choice(GIVEN)
                                              for _i in range(1 if rng.random() < 0.3 else 2))

    def reword(self, source: str, category: str, title: str, description: str
               ) -> tuple[str, str]:
        """Half the cases in other words, with how people start and end (its own stream)."""
        rng = self.text_rng
        if rng.random() < 0.5:
            title, description = rng.choice(MORE_TEXTS[category])
        worker = source in (Source.PATROL, Source.VISIT)
        opener = rng.choice(WORKER_OPENERS if worker else RESIDENT_OPENERS)
        closer = rng.choice(WORKER_CLOSERS if worker else RESIDENT_CLOSERS)
        return title, f"{opener}{description}{closer}"

    def phone(self) -> str:
        return self.rng.choice(MOBILE_PREFIXES) + f"{self.rng.randrange(10**8):08d}"

    def hotline_number(self, at: dt.datetime) -> str:
        year = timezone.localtime(at).year
        number = self.hotline_numbers.get(year, 0) + self.rng.randint(1, 300)
        self.hotline_numbers[year] = number
        return f"ZY12345-{year}-{number:06d}"

    def point_in(self, team: Team, near: tuple[float, float] | None) -> tuple[float, float]:
        """A point inside the micro-grid: a few metres from a building, or anywhere."""
        rng = self.rng
        if near is not None:
            for _i in range(8):
                lon, lat = near[0] + rng.gauss(0, 0.00012), near[1] + rng.gauss(0, 0.0001)
                if shapely.contains_xy(team.geom, lon, lat):
                    return lon, lat
        x0, y0, x1, y1 = team.geom.bounds
        while True:
            lon, lat = rng.uniform(x0, x1), rng.uniform(y0, y1)
            if shapely.contains_xy(team.geom, lon, lat):
                return lon, lat

    def moment(self, start: dt.datetime, end: dt.datetime, source: str) -> dt.datetime:
        """When a case of this channel came in: more in recent years; workers report in
        working hours, residents at any time of day."""
        rng, cal = self.rng, self.world.calendar
        tz = timezone.get_current_timezone()
        span = (end - start).total_seconds()
        while True:
            x = rng.random()
            if rng.random() * 3 > 1 + 2 * x:  # the density grows threefold over the years
                continue
            day = timezone.localtime(start + dt.timedelta(seconds=x * span), tz).date()
            if source in (Source.ONLINE, Source.HOTLINE):
                minute = rng.randint(7 * 60, 22 * 60 + 30)
                at = dt.datetime.combine(day, dt.time(minute // 60, minute % 60), tz)
            else:
                while not cal.is_workday(day):
                    day += dt.timedelta(days=1)
                a, b = rng.choices(cal.periods, weights=[
                    (dt.datetime.combine(day, b) - dt.datetime.combine(day, a)).seconds
                    for a, b in cal.periods])[0]
                begin = dt.datetime.combine(day, a, tz)
                at = begin + (dt.datetime.combine(day, b, tz) - begin) * rng.random()
            if start <= at < end:
                return at.replace(second=rng.randrange(60), microsecond=0)

    # a new case

    def new_case(self, *, source: str, team: Team, at: dt.datetime,
                 category: str | None = None, placed: str = "point",
                 reporter: bool = True, reported_by: Staff | None = None) -> Case:
        """A case as `services.case_report` makes it, not yet reported."""
        rng, world = self.rng, self.world
        mix = {Source.PATROL: PATROL_MIX, Source.VISIT: VISIT_MIX}.get(source, RESIDENT_MIX)
        category = category or self.pick(mix)
        title, description = rng.choice(TEXTS[category])
        title, description = self.reword(source, category, title, description)
        building = rng.choice(team.buildings) if team.buildings else None
        if category in STREET_SCALE or building is None:
            place = f"{team.lane}{rng.randint(1, 120)}号附近"
            building = None
        elif team.kind == "residential":
            place = team.grid.name.replace("微网格", "小区") + building[1]
        else:
            place = building[1]
        lon = lat = None
        if placed == "point":
            lon, lat = self.point_in(team, building[2:] if building else None)
            grid = team.grid
        elif placed == "address":  # an address the street has to place
            building, grid = None, world.street
        else:
            grid = team.grid
        name = phone = ""
        if reporter:
            name, phone = self.person_name(), self.phone()
        urgency = Urgency.NORMAL
        if rng.random() < (0.3 if category in URGENT else 0.04):
            urgency = Urgency.URGENT
        return Case(
            tracking_code=self.tracking_code(), source=source,
            external_id=self.hotline_number(at) if source == Source.HOTLINE else "",
            category=world.categories[category], title=title,
            description=description.format(place=place, lane=team.lane), urgency=urgency,
            address=f"{team.community.name}{place}", lon=lon, lat=lat,
            building_id=building[0] if building else None, grid=grid, responsible=grid,
            reporter_name=name, reporter_phone=phone,
            reporter_phone_hash=phone_hash(phone) if phone else "",
            reported_by=reported_by.user if reported_by else None, reported_at=at)

    def keep(self, sim: _Sim) -> None:
        for name in ("cases", "steps", "discussions", "feedback", "items", "meetings"):
            getattr(self.history, name).extend(getattr(sim.records, name))

    # who does what

    def holder(self, case: Case, team: Team) -> Staff:
        """The staff of the level that holds the case (verifies and records for units)."""
        if case.level == Level.STREET:
            return self.world.street_staff
        if case.level == Level.COMMUNITY:
            return self.world.officers[team.community.code]
        return team.leader

    def doer(self, case: Case, team: Team) -> Staff:
        """Who records the handler's steps: the micro-grid's full-time worker in the grid
        (for a part-time worker too), the worker when the level above sent it back to them,
        level staff for a unit."""
        if case.level == Level.GRID:
            return team.worker
        if case.handler is not None and case.handler.pk == team.worker.worker.pk:
            return team.worker
        return self.holder(case, team)

    def result(self, case: Case) -> tuple[str, str]:
        rng = self.rng
        r = rng.random()
        if r < 0.86:
            return Outcome.RESOLVED, rng.choice(RESULTS[case.category.code])
        if r < 0.96:
            return Outcome.EXPLAINED, EXPLAINED
        return Outcome.REFERRED, REFERRED.format(unit=case.category.default_unit)

    # pieces of stories

    def work(self, sim: _Sim, team: Team) -> None:
        """Dispatch at the case's level, start and report handled (三单: plan, result)."""
        rng, case = self.rng, sim.case
        level = case.level
        unit = case.category.default_unit
        officer = self.world.officers[team.community.code]
        handler, handling_unit = None, ""
        if level == Level.GRID:
            handler = team.worker.worker
            if team.part_time and rng.random() < 0.2:
                handler = rng.choice(team.part_time)
        elif level == Level.COMMUNITY and rng.random() < 0.5:
            handler = team.worker.worker
        else:
            handling_unit = unit
        names = {"leader": team.leader.name, "worker": team.worker.name,
                 "officer": officer.name, "unit": unit,
                 "handler": handler.name if handler else unit}
        sim.act(Action.DISPATCH, sim.later(0.03, 0.2), self.holder(case, team),
                handler=handler, handling_unit=handling_unit,
                plan=PLANS[level].format(**names), participants=PARTICIPANTS[level].format(
                    **names), units=unit if level != Level.GRID else "")
        if rng.random() < 0.85:
            sim.act(Action.START, sim.later(0.02, 0.25), self.doer(case, team))
        self.handle(sim, team)

    def handle(self, sim: _Sim, team: Team) -> None:
        outcome, result = self.result(sim.case)
        sim.act(Action.HANDLE, sim.later(0.1, 0.5), self.doer(sim.case, team),
                outcome=outcome, result=result)

    def raise_(self, sim: _Sim, team: Team, *, automatic: bool) -> None:
        case = sim.case
        if automatic:
            sim.lapse()
        else:
            sim.act(Action.RAISE, sim.later(0.1, 0.5), self.holder(case, team),
                    self.rng.choice(RAISE_NOTES[case.level]))

    def evaluate(self, sim: _Sim, team: Team, rate: str | None) -> None:
        """The reporter's view; a dissatisfied reporter reopens and the level handles again."""
        rng = self.rng
        if rate is None:
            return
        if rate == Evaluation.DISSATISFIED:
            comment = rng.choice(DISSATISFIED_COMMENTS)
            sim.act(Action.REOPEN, sim.after_hours(2, 40), None, comment,
                    evaluation=Evaluation.DISSATISFIED, comment=comment)
            sim.on_time = False
            self.handle(sim, team)
            sim.act(Action.CLOSE, sim.later(0.05, 0.3), self.holder(sim.case, team),
                    "回访前再次现场核实。")
            rate = rng.choice([Evaluation.SATISFIED, Evaluation.SATISFIED,
                               Evaluation.BASICALLY])
        comment = rng.choice(SATISFIED_COMMENTS if rate == Evaluation.SATISFIED
                             else BASIC_COMMENTS)
        sim.act(Action.EVALUATE, sim.after_hours(0.5, 48), None, comment, evaluation=rate,
                comment=comment)

    def place(self, sim: _Sim, team: Team) -> None:
        """A case reported with an address only: the street puts it in its micro-grid."""
        if sim.case.grid.tier != Tier.MICRO_GRID:
            sim.act(Action.RELOCATE, sim.later(0.02, 0.2), self.holder(sim.case, team),
                    "根据地址核实,转所属微网格办理。", grid=team.grid)

    # whole stories

    def closed_story(self, sim: _Sim, team: Team, *, path: str, automatic: bool,
                     rework: bool, rate: str | None) -> None:
        """Reported, handled at the level `path` says, verified and closed, rated."""
        rng, case = self.rng, sim.case
        self.place(sim, team)
        if path == "spot":
            actor = team.worker if rng.random() < 0.8 else team.leader
            outcome, result = self.result(case)
            # A worker who found it puts it right within minutes; a resident's appeal waits
            # for the worker to get there.
            lo, hi = (0.002, 0.03) if case.source in (Source.PATROL, Source.VISIT) \
                else (0.005, 0.12)
            sim.act(Action.HANDLE_ON_SPOT, sim.later(lo, hi), actor,
                    outcome=outcome, result=result, handler=actor.worker,
                    plan="小事即办,现场处理。", participants=actor.name)
        else:
            if path == "grid" or rng.random() < 0.9:
                sim.act(Action.ACCEPT, sim.later(0.02, 0.15),
                        rng.choice([team.worker, team.leader]))
            if path != "grid":
                if rng.random() < 0.4:
                    sim.act(Action.DISCUSS, sim.later(0.05, 0.3), team.leader,
                            plan="网格内研判,需要上级协调相关单位。",
                            participants=f"网格长{team.leader.name}、网格员{team.worker.name}")
                self.raise_(sim, team, automatic=automatic)
                if path == "street":
                    self.raise_(sim, team, automatic=automatic and rng.random() < 0.5)
            self.work(sim, team)
            if rework:
                sim.act(Action.REWORK, sim.later(0.05, 0.3), self.holder(case, team),
                        REWORK_NOTE)
                self.handle(sim, team)
            if sim.on_time:
                closing = sim.later(0.05, 0.4)
            else:  # verified only after the handling time limit had passed
                start = max(sim.t, case.due_at)
                closing = self.world.calendar.add_hours(start, rng.uniform(0.5, 12))
            sim.act(Action.CLOSE, closing, self.holder(case, team),
                    rng.choice(["现场核实,已处理完毕。", "电话回访核实。", ""]))
        self.evaluate(sim, team, rate)

    def historical(self, source: str, at: dt.datetime, team: Team, end: dt.datetime) -> None:
        """One finished case of the past, drawn until its story fits."""
        rng = self.rng
        for attempt in range(6):
            simple = attempt >= 3
            path = "spot" if simple else self.pick(PATHS[source])
            reporter = source in (Source.ONLINE, Source.HOTLINE, Source.WALK_IN) or (
                source == Source.VISIT and rng.random() < 0.6)
            actor = None
            if source in (Source.PATROL, Source.VISIT):
                actor = team.worker
            elif source == Source.WALK_IN:
                actor = team.leader
            placed = "point"
            if source == Source.HOTLINE:
                placed = rng.choices(["point", "building", "address"], [60, 32, 8])[0]
            elif source in (Source.WALK_IN, Source.GOVERNANCE_CENTRE):
                placed = "building"
            if source == Source.HOTLINE and rng.random() < 0.03 and not simple:
                self.declined(source, at, team, end)
                return
            rate = None
            rated = {Source.ONLINE: 0.88, Source.HOTLINE: 0.85, Source.VISIT: 0.5,
                     Source.WALK_IN: 0.5}.get(source, 0)
            if reporter and rng.random() < rated:
                rate = self.pick({Evaluation.SATISFIED: 84, Evaluation.BASICALLY: 14.5,
                                  Evaluation.DISSATISFIED: 2.5 if source == Source.ONLINE
                                  else 3})
            case = self.new_case(source=source, team=team, at=at, placed=placed,
                                 reporter=reporter, reported_by=actor)
            late = path != "spot" and rng.random() < 0.045
            try:
                sim = _Sim(self, case, actor, end=end, on_time=not late)
                self.closed_story(sim, team, path=path, automatic=rng.random() < 0.2,
                                  rework=path != "spot" and rng.random() < 0.03,
                                  rate=None if simple and rate == Evaluation.DISSATISFIED
                                  else rate)
            except StoryError:
                self.codes.discard(case.tracking_code)
                continue
            self.keep(sim)
            return
        raise RuntimeError(f"no story fits a {source} case of {at}")

    def declined(self, source: str, at: dt.datetime, team: Team, end: dt.datetime) -> None:
        """A work order that is not the street's business: explained and declined."""
        case = self.new_case(source=source, team=team, at=at, placed="address",
                             category=self.pick({"wage_dispute": 2, "petition": 1,
                                                 "social_security": 1}))
        sim = _Sim(self, case, None, end=end)
        sim.act(Action.DECLINE, sim.later(0.05, 0.3), self.world.street_staff,
                "经核实,该诉求不属于本街道职责范围,已向诉求人解释并退回12345热线。")
        self.keep(sim)

    # what is open now

    def open_case(self, kind: str, team: Team) -> None:
        """One case open at the moment "now", in the state `kind` names. Times are set
        backwards from now so that the sweep would have done exactly what the timeline
        shows: every level limit still running lies after now."""
        rng, world, cal, now = self.rng, self.world, self.world.calendar, self.world.now
        hours = {level: limit for level, (limit, _warn) in world.limits.items()}
        source = self.pick({Source.PATROL: 4, Source.HOTLINE: 4, Source.VISIT: 2})
        reporter = source != Source.PATROL
        actor = team.worker if source in (Source.PATROL, Source.VISIT) else None
        avoid = {"sanitation", "noise"} if team.grid.code == FIRST_MICRO else set()
        mix = {Source.PATROL: PATROL_MIX, Source.VISIT: VISIT_MIX}.get(source, RESIDENT_MIX)
        category = self.pick({k: v for k, v in mix.items() if k not in avoid})

        def back(end: dt.datetime, low: float, high: float) -> dt.datetime:
            return cal.hours_before(end, rng.uniform(low, high))

        grid_h, community_h, street_h = (hours[Level.GRID], hours[Level.COMMUNITY],
                                         hours[Level.STREET])
        # Anchors: when the case reached the community (e1) and the street (e2). A person
        # raises it exactly then; the sweep at the lower level's limit, which is then.
        e1 = e2 = None
        if kind == "fresh":
            at = back(now, 0.2, max(0.3, grid_h - 6))
        elif kind in ("grid", "handled"):
            at = back(now, 2, max(2.5, grid_h - 2))
        elif kind in ("community", "community_auto"):
            e1 = back(now, 1.5, community_h - 4)
        elif kind in ("street", "street_auto"):
            e2 = back(now, 2, street_h - 4)
            e1 = back(e2, 1, community_h - 4) if kind == "street" else \
                cal.hours_before(e2, community_h)
        elif kind == "direct_line":
            e2 = cal.hours_before(back(now, 3, 14), street_h)
            e1 = cal.hours_before(e2, community_h)
        elif kind == "deferred":
            at = back(now, 40, 300)
        else:
            raise ValueError(kind)
        automatic = kind in ("community_auto", "street_auto", "direct_line")
        if e1 is not None:
            at = cal.hours_before(e1, grid_h) if automatic else back(e1, 1, grid_h - 4)
        if source == Source.HOTLINE:  # a call comes in at any hour
            at -= dt.timedelta(minutes=rng.randint(0, 50))
        at = at.replace(microsecond=0)
        case = self.new_case(source=source, team=team, at=at, category=category,
                             reporter=reporter, reported_by=actor,
                             placed="point" if source != Source.HOTLINE else
                             rng.choice(["point", "building"]))
        sim = _Sim(self, case, actor, end=now, on_time=False)
        officer = world.officers[team.community.code]
        if kind == "fresh":
            if rng.random() < 0.4:
                sim.act(Action.ACCEPT, sim.later(0.05, 0.5), team.leader)
        elif kind in ("grid", "handled"):
            sim.act(Action.ACCEPT, sim.later(0.02, 0.2), team.leader)
            if kind == "handled" or rng.random() < 0.7:
                sim.act(Action.DISPATCH, sim.later(0.05, 0.3), team.leader,
                        handler=team.worker.worker, plan=PLANS["grid"].format(
                            handler=team.worker.name),
                        participants=f"网格长{team.leader.name}、网格员{team.worker.name}")
                if kind == "handled" or rng.random() < 0.6:
                    sim.act(Action.START, sim.later(0.05, 0.3), team.worker)
            if kind == "handled":
                self.handle(sim, team)
        elif kind in ("community", "community_auto", "street", "street_auto",
                      "direct_line"):
            sim.act(Action.ACCEPT, sim.later(0.02, 0.2, until=e1), team.leader)
            if automatic:
                sim.act(Action.DISCUSS, sim.later(0.05, 0.4), team.leader,
                        plan="网格内协调未果,等待物业和产权单位答复。",
                        participants=f"网格长{team.leader.name}、网格员{team.worker.name}")
                sim.lapse()
            else:
                sim.act(Action.RAISE, e1, team.leader, rng.choice(RAISE_NOTES["grid"]))
            if kind in ("street", "street_auto", "direct_line"):
                if automatic:
                    sim.act(Action.DISCUSS, sim.later(0.1, 0.5), officer,
                            plan="社区召集物业、居民代表共议,需街道协调相关部门。",
                            participants=f"社区干部{officer.name}、网格长{team.leader.name}")
                    sim.lapse()
                else:
                    if rng.random() < 0.5:
                        sim.act(Action.DISCUSS, sim.later(0.1, 0.5, until=e2), officer,
                                plan="社区召集物业、居民代表共议,需街道协调相关部门。",
                                participants=f"社区干部{officer.name}、网格长{team.leader.name}")
                    sim.act(Action.RAISE, e2, officer, rng.choice(RAISE_NOTES["community"]))
            if kind == "direct_line":
                sim.act(Action.DISCUSS, sim.later(0.1, 0.5), world.street_staff,
                        plan="街道组织城建办、城管中队现场查看,涉及资金和产权问题,需书记直通车协调。",
                        participants="街道综治办、街道城建办、城管中队",
                        units="街道城建办、城管中队")
                sim.lapse()
                self.plan_meeting(sim)
            elif rng.random() < 0.75:
                self.work_open(sim, team)
        elif kind == "deferred":
            sim.act(Action.ACCEPT, sim.later(0.02, 0.15), team.leader)
            sim.act(Action.DISPATCH, sim.later(0.05, 0.2), team.leader,
                    handler=team.worker.worker, plan=PLANS["grid"].format(
                        handler=team.worker.name),
                    participants=f"网格长{team.leader.name}、网格员{team.worker.name}")
            sim.act(Action.START, sim.later(0.05, 0.2), team.worker)
            sim.act(Action.REQUEST_DEFERRAL, sim.later(0.1, 0.3), team.worker,
                    rng.choice(DEFERRAL_NOTES))
            until = timezone.localtime(now).date() + dt.timedelta(days=rng.randint(30, 120))
            sim.act(Action.DEFER, sim.later(0.1, 0.5), officer, DEFER_NOTE, until=until)
        sim.finish()
        self.keep(sim)

    def work_open(self, sim: _Sim, team: Team) -> None:
        """The level above has taken the case on: dispatched, perhaps started."""
        case = sim.case
        unit = case.category.default_unit
        handler = team.worker.worker if case.level == Level.COMMUNITY else None
        names = {"leader": team.leader.name, "worker": team.worker.name, "unit": unit,
                 "officer": self.world.officers[team.community.code].name,
                 "handler": handler.name if handler else unit}
        sim.act(Action.DISPATCH, sim.later(0.05, 0.3), self.holder(case, team),
                handler=handler, handling_unit="" if handler else unit,
                plan=PLANS[case.level].format(**names),
                participants=PARTICIPANTS[case.level].format(**names), units=unit)
        if self.rng.random() < 0.6:
            sim.act(Action.START, sim.later(0.05, 0.3), self.doer(case, team))

    def plan_meeting(self, sim: _Sim) -> None:
        """The street plans its next direct-line meeting; the waiting case is on it."""
        now, cal = self.world.now, self.world.calendar
        held_on = timezone.localtime(now).date() + dt.timedelta(days=3)
        while not cal.is_workday(held_on):
            held_on += dt.timedelta(days=1)
        meeting = DirectLineMeeting(
            held_on=held_on, title=f"{held_on.year}年{held_on.month}月书记直通车恳谈会",
            street=self.world.street, status=MeetingStatus.PLANNED,
            created_at=sim.t + (now - sim.t) / 2)
        sim.open_item.meeting = meeting
        sim.records.meetings.append(meeting)

    def held_meeting(self, team: Team, at: dt.datetime, end: dt.datetime) -> None:
        """A past meeting: a long-standing matter came to the direct line; the meeting
        assigned it with a new time limit, and it was handled and closed."""
        rng, world, cal = self.rng, self.world, self.world.calendar
        tz = timezone.get_current_timezone()
        for attempt in range(10):
            at += dt.timedelta(days=3 * attempt)
            case = self.new_case(source=Source.HOTLINE, team=team, at=at,
                                 category="building_safety", placed="building")
            officer = world.officers[team.community.code]
            try:
                sim = _Sim(self, case, None, end=end, on_time=False)
                sim.act(Action.ACCEPT, sim.later(0.02, 0.2), team.leader)
                sim.act(Action.RAISE, sim.later(0.2, 0.6), team.leader,
                        RAISE_NOTES["grid"][0])
                sim.act(Action.DISCUSS, sim.later(0.1, 0.4), officer,
                        plan="社区召集产权单位和居民代表共议,维修资金无法落实。",
                        participants=f"社区干部{officer.name}、网格长{team.leader.name}")
                sim.act(Action.RAISE, sim.later(0.3, 0.7), officer,
                        RAISE_NOTES["community"][1])
                sim.lapse()
                planned = sim.t + dt.timedelta(hours=rng.uniform(20, 50))
                held_on = timezone.localtime(planned).date() + dt.timedelta(days=4)
                while not cal.is_workday(held_on):
                    held_on += dt.timedelta(days=1)
                meeting = DirectLineMeeting(
                    held_on=held_on, street=world.street, status=MeetingStatus.HELD,
                    title=f"{held_on.year}年{held_on.month}月书记直通车恳谈会",
                    participants=MEETING_PARTICIPANTS, created_at=planned,
                    minutes=f"会议听取了{case.address}{case.title}的情况汇报,明确由街道城建办"
                            "牵头、产权单位配合,15个工作日内完成维修。")
                sim.open_item.meeting = meeting
                sim.records.meetings.append(meeting)
                decided = dt.datetime.combine(held_on, dt.time(10, 30), tz)
                sim.act(Action.DIRECT_LINE_DECISION, decided, world.street_staff,
                        "明确街道城建办牵头、产权单位配合,15个工作日内完成维修。",
                        decision=Decision.DISPATCH, handling_unit="街道城建办", days=15,
                        meeting=meeting)
                sim.act(Action.START, sim.later(0.02, 0.1), world.street_staff)
                sim.act(Action.HANDLE, sim.later(0.4, 0.8, horizon=80), world.street_staff,
                        outcome=Outcome.RESOLVED,
                        result="已完成外墙和屋面维修,设置防护网,隐患已消除。")
                sim.act(Action.CLOSE, sim.later(0.05, 0.2), world.street_staff,
                        "街道城建办会同社区现场验收。")
                sim.act(Action.EVALUATE, sim.after_hours(2, 30), None, "感谢街道。",
                        evaluation=Evaluation.SATISFIED, comment="感谢街道。")
            except StoryError:
                self.codes.discard(case.tracking_code)
                continue
            self.keep(sim)
            return
        raise RuntimeError("the held direct-line meeting does not fit")

    # the whole history

    def run(self) -> History:
        world, rng = self.world, self.rng
        tz = timezone.get_current_timezone()
        start = dt.datetime.combine(HISTORY_START, dt.time(), tz)
        end = world.now - HISTORY_GAP
        if end <= start + dt.timedelta(days=60):
            raise ValueError("the demo history needs a 'now' after March 2020")
        finished_by = world.now - dt.timedelta(days=1)
        plan = [(Source.ONLINE, ONLINE_APPEALS), *COUNTS.items()]
        drawn = []
        for source, count in plan:
            times = sorted(self.moment(start, end, source) for _i in range(count))
            drawn += [(at, source) for at in times]
        # The case of the held direct-line meeting, somewhere in the last years.
        meeting_from = max(start, end - dt.timedelta(days=900))
        drawn.append((self.moment(meeting_from, end - dt.timedelta(days=60), Source.HOTLINE),
                      "held_meeting"))
        drawn.sort(key=lambda pair: pair[0])
        teams = world.teams
        # Busy micro-grids (residential blocks, business streets) see more cases.
        cum = list(itertools.accumulate({"residential": 3, "commercial": 2.5}.get(t.kind, 2)
                                        for t in teams))
        first = self.by_code.get(FIRST_MICRO, teams[0])
        for at, source in drawn:
            if source == "held_meeting":
                self.held_meeting(first, at, finished_by)
                continue
            team = rng.choices(teams, cum_weights=cum)[0]
            self.historical(source, at, team, finished_by)
        open_kinds = (["fresh"] * 8 + ["grid"] * 10 + ["handled"] * 3 + ["community"] * 5
                      + ["community_auto"] * 4 + ["street"] * 3 + ["street_auto"] * 2
                      + ["deferred"] * 4)
        # The fixed cast's micro-grid and community have work in hand.
        for kind in ("fresh", "grid", "community_auto"):
            self.open_case(kind, first)
        for kind in open_kinds:
            self.open_case(kind, rng.choices(teams, cum_weights=cum)[0])
        self.open_case("direct_line", rng.choices(teams, cum_weights=cum)[0])
        self.history.cases.sort(key=lambda c: (c.reported_at, c.tracking_code))
        return self.history


def generate(world: World, *, seed: int = SEED) -> History:
    """The whole history up to `world.now`, in memory; the same for the same seed and world."""
    return _Generator(world, seed).run()


# --- saving -----------------------------------------------------------------------------------


def save(history: History) -> dict[str, int]:
    """Write a generated history in bulk (inside the caller's transaction)."""
    bulk_insert(history.cases)
    bulk_insert(history.meetings, reason=REASON)
    for rows in (history.steps, history.discussions, history.feedback, history.items):
        for row in rows:
            row.case = row.case  # the case got its key after the row was made
    for item in history.items:
        item.meeting = item.meeting
    bulk_insert(history.steps)
    bulk_insert(history.discussions)
    bulk_insert(history.feedback)
    bulk_insert(history.items)
    return {"cases": len(history.cases), "steps": len(history.steps),
            "discussions": len(history.discussions), "feedback": len(history.feedback),
            "direct_line_items": len(history.items), "meetings": len(history.meetings)}


def is_loaded() -> bool:
    """Whether the database already has cases (the history is loaded into none but an empty
    case table)."""
    return Case.objects.exists()


def load(*, progress: Callable[[str], None] = lambda message: None,
         now: dt.datetime | None = None, seed: int = SEED) -> dict[str, float]:
    """Load the case history into the demo (once; a database with cases is left alone).
    Returns the counts and the seconds it took."""
    if is_loaded():
        return {}
    started = time.perf_counter()
    progress("生成事件办理历史 (case history since 2020)…")
    world = world_from_db(now=now)
    history = generate(world, seed=seed)
    generated = time.perf_counter()
    progress(f"保存 {len(history.cases)} 件事件、{len(history.steps)} 个办理步骤 "
             "(saving cases and timelines)…")
    with transaction.atomic():
        counts = save(history)
        stats.rebuild()
    done = time.perf_counter()
    return {**counts, "generate_seconds": generated - started, "save_seconds": done - generated,
            "seconds": done - started}
