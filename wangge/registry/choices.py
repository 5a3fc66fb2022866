from django.db import models
from django.utils.translation import gettext_lazy as _


class HouseUse(models.TextChoices):
    OWNER_OCCUPIED = "owner_occupied", _("owner-occupied")
    RENTED = "rented", _("rented")
    VACANT = "vacant", _("vacant")
    BUSINESS = "business", _("business")


class Sex(models.TextChoices):
    MALE = "male", _("male")
    FEMALE = "female", _("female")


class PopulationType(models.TextChoices):
    REGISTERED = "registered", _("registered resident")  # 户籍人口
    FLOATING = "floating", _("floating population")  # 流动人口
    OVERSEAS = "overseas", _("overseas person")  # 境外人员


class PoliticalStatus(models.TextChoices):
    PARTY_MEMBER = "party_member", _("CPC member")  # 中共党员
    PROBATIONARY = "probationary", _("CPC probationary member")  # 中共预备党员
    LEAGUE_MEMBER = "league_member", _("CYL member")  # 共青团员
    DEMOCRATIC_PARTY = "democratic_party", _("democratic party member")  # 民主党派
    MASSES = "masses", _("ordinary citizen")  # 群众


class Relation(models.TextChoices):
    """Relation to the head of household (与户主关系)."""

    HEAD = "head", _("head of household")
    SPOUSE = "spouse", _("spouse")
    SON = "son", _("son")
    DAUGHTER = "daughter", _("daughter")
    FATHER = "father", _("father")
    MOTHER = "mother", _("mother")
    GRANDCHILD = "grandchild", _("grandchild")
    SIBLING = "sibling", _("sibling")
    OTHER = "other", _("other")


class PersonStatus(models.TextChoices):
    ACTIVE = "active", _("living here")
    MOVED_OUT = "moved_out", _("moved out")
    DECEASED = "deceased", _("deceased")


class PersonEventKind(models.TextChoices):
    REGISTERED = "registered", _("registered")
    MOVED_IN = "moved_in", _("moved in")  # 迁入
    MOVED_OUT = "moved_out", _("moved out")  # 迁出
    HOUSEHOLD_CHANGED = "household_changed", _("changed household")
    DIED = "died", _("died")


class OrganisationKind(models.TextChoices):
    GOVERNMENT = "government", _("government body")  # 机关
    ENTERPRISE = "enterprise", _("enterprise")  # 企业
    SOLE_TRADER = "sole_trader", _("individual business")  # 个体工商户
    SOCIAL = "social", _("social organisation")  # 社会组织
    SCHOOL = "school", _("school")  # 学校
    HOSPITAL = "hospital", _("hospital")  # 医院
    OTHER = "other", _("other")  # 其他


class FacilityCondition(models.TextChoices):
    GOOD = "good", _("good")
    DAMAGED = "damaged", _("damaged")
    MISSING = "missing", _("missing")
    UNDER_REPAIR = "under_repair", _("under repair")
